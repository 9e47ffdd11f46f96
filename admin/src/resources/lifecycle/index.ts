/** The 学籍 lifecycle in the panel: a child's 学籍档案 tab (timeline + actions) and the kindergarten's 升级与毕业 page. */
export { ChildActions, ChildHistory, ChildLifecycle } from './ChildLifecycle';
export { KindergartenLifecycle } from './KindergartenLifecycle';
