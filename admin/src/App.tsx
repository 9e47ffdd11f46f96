import { Admin, CustomRoutes, Resource } from 'react-admin';
import { Route } from 'react-router-dom';
import { authProvider } from './providers/auth';
import { dataProvider } from './providers/data';
import { i18nProvider } from './i18n';
import { Dashboard } from './dashboard';
import { Layout, LoginPage } from './layout';
import { MyKindergarten } from './components/MyKindergarten';
import kindergartens, { institutionKindergarten } from './resources/kindergartens';
import regions from './resources/regions';
import accounts from './resources/accounts';
import requests, { AnnualReportCreate, DeclarationCreate, KeyChangeCreate } from './resources/requests';
import schoolClasses from './resources/school-classes';
import children, { ChildCreate, ChildEdit } from './resources/children';
import problemRecords from './resources/problem-records';
import chartPages from './resources/chart-pages';
import populations from './resources/populations';
import transfers from './resources/transfers';
import { KindergartenLifecycle } from './resources/lifecycle';
import { ImportPage } from './resources/imports';
import { Oversight } from './components/Oversight';
import staff, { StaffCreate, StaffEdit, StaffingCheck, StaffAnalysis, MyStaff } from './resources/staff';
import training from './resources/training';
import { healthChecks, healthConditions, vaccinationChecks } from './resources/health';
import { aidGrants, aidDisbursements, AidApply, AidTotals } from './resources/aid';
import { projects, progressReports, ProjectRollup } from './resources/projects';
import { theme, darkTheme } from './theme';
import { auditEntries, delegations, PolicyPage } from './security';
import customFields from './resources/custom-fields';
import { GuardianProgress } from './resources/guardians/GuardianProgress';
import { SubmissionPage, TaskDesigner, TaskInbox, TaskList } from './resources/collection-tasks';
import { CalendarSettingsPage, CodeTablesPage, PermissionMatrixPage } from './settings';
import { Forbidden } from './layout/Forbidden';
import { getStoredMe } from './providers/session';
import { HelpPage } from './help/HelpPage';
import { NationalStatistics } from './dashboard/NationalStatistics';
import { incidents, resourceInventories, ResourceShortfalls, safetyFindings, safetyInspections } from './resources/safety';

/** Every level's resources, and the help page (帮助, #/help) for everyone. */
const withHelp = (resources: any[]) => [
    ...resources,
    <CustomRoutes key="help">
        <Route path="/help" element={<HelpPage />} />
    </CustomRoutes>,
];

/**
 * Whether the signed-in role may call `action` of `resource` (a content type's plural name, or
 * the API's name): GET /api/me `calls`, the role's routes after the permission matrix. A page is
 * registered only when its list can be read, so a page the role cannot open answers 无权访问
 * (admin/src/layout/Forbidden.tsx) instead of a blank or contradictory page.
 */
const may = (resource: string, action = 'find') => {
    const calls = getStoredMe()?.calls;
    return !calls || Boolean(calls[resource]?.includes(action));
};

/** Keeps the elements whose page the role may open. */
const opened = (elements: [boolean, JSX.Element][]) => elements.filter(([allowed]) => allowed).map(([, element]) => element);

/**
 * 全国学前教育管理信息系统 — the panel. Which resources and pages exist follows the server (the
 * role's calls from GET /api/me); which variant of a page follows the user's level
 * (getPermissions): regional levels manage kindergartens, a kindergarten sees and edits itself.
 */
export const App = () => (
    <Admin
        disableTelemetry
        title="全国学前教育管理信息系统"
        authProvider={authProvider}
        dataProvider={dataProvider}
        i18nProvider={i18nProvider}
        dashboard={Dashboard}
        layout={Layout}
        loginPage={LoginPage}
        catchAll={Forbidden}
        theme={theme}
        darkTheme={darkTheme}
        requireAuth
    >
        {(level) => withHelp(
            level === 'duty'
                ? []
                : level === 'auditadmin' || level === 'sysadmin' || level === 'secadmin'
                ? opened([
                      // 三员: each administrator sees only their own pages (the server enforces it too)
                      [may('audit-entry'), <Resource key="audit-entries" name="audit-entries" {...auditEntries} />],
                      [may('account'), <Resource key="accounts" name="accounts" {...accounts} />],
                      [may('delegations', 'approve'), <Resource key="delegations" name="delegations" list={delegations.list} />],
                      [may('security-policies'), <CustomRoutes key="policy"><Route path="/security-policy" element={<PolicyPage />} /></CustomRoutes>],
                      [may('permission-matrix'), <CustomRoutes key="matrix"><Route path="/permission-matrix" element={<PermissionMatrixPage />} /></CustomRoutes>],
                  ])
                : level === 'institution'
                ? opened([
                      [may('kindergartens'), <Resource key="kindergartens" name="kindergartens" {...institutionKindergarten} />],
                      [may('delegations'), <Resource key="delegations" name="delegations" {...delegations} />],
                      [may('requests'), <Resource key="requests" name="requests" {...requests} />],
                      [may('school-classes'), <Resource key="school-classes" name="school-classes" {...schoolClasses} />],
                      [may('children'), <Resource key="children" name="children" {...children} create={may('children', 'create') ? ChildCreate : undefined} edit={may('children', 'update') ? ChildEdit : undefined} />],
                      [may('problem-records'), <Resource key="problem-records" name="problem-records" {...problemRecords} />],
                      [may('transfers'), <Resource key="transfers" name="transfers" {...transfers} />],
                      [may('staff-members'), <Resource key="staff-members" name="staff-members" {...staff} create={StaffCreate} edit={StaffEdit} />],
                      [may('training-records'), <Resource key="training-records" name="training-records" {...training} />],
                      // 卫生保健 (docs/health.md)
                      [may('child-health-checks'), <Resource key="child-health-checks" name="child-health-checks" {...healthChecks} />],
                      [may('vaccination-checks'), <Resource key="vaccination-checks" name="vaccination-checks" {...vaccinationChecks} />],
                      [may('child-health-conditions'), <Resource key="child-health-conditions" name="child-health-conditions" {...healthConditions} />],
                      [may('aid-grants'), <Resource key="aid-grants" name="aid-grants" {...aidGrants} />],
                      // 安全管理 and 玩教具与图书 (admin/src/resources/safety)
                      [may('safety-inspections'), <Resource key="safety-inspections" name="safety-inspections" {...safetyInspections} create={may('safety-inspections', 'create') ? safetyInspections.create : undefined} />],
                      [may('safety-findings'), <Resource key="safety-findings" name="safety-findings" {...safetyFindings} />],
                      [may('incidents'), <Resource key="incidents" name="incidents" {...incidents} create={may('incidents', 'create') ? incidents.create : undefined} />],
                      [may('resource-inventories'), <Resource key="resource-inventories" name="resource-inventories" {...resourceInventories} create={may('resource-inventories', 'create') ? resourceInventories.create : undefined} edit={may('resource-inventories', 'update') ? resourceInventories.edit : undefined} />],
                      [may('resource-inventories', 'shortfalls'), <CustomRoutes key="safety"><Route path="/resource-shortfalls" element={<ResourceShortfalls />} /></CustomRoutes>],
                      [may('aid-disbursements'), <Resource key="aid-disbursements" name="aid-disbursements" {...aidDisbursements} />],
                      [true, <CustomRoutes key="funds">
                          <Route path="/staffing" element={<StaffingCheck />} />
                          <Route path="/my-staff" element={<MyStaff />} />
                          <Route path="/aid-apply" element={<AidApply />} />
                          <Route path="/aid-totals" element={<AidTotals />} />
                      </CustomRoutes>],
                      [true, <CustomRoutes key="routes">
                          <Route path="/lifecycle" element={<KindergartenLifecycle />} />
                          <Route path="/imports" element={<ImportPage />} />
                          <Route path="/my-kindergarten" element={<MyKindergarten />} />
                          <Route path="/key-change" element={<KeyChangeCreate />} />
                          <Route path="/annual-report" element={<AnnualReportCreate />} />
                          <Route path="/declaration" element={<DeclarationCreate />} />
                          <Route path="/guardian-confirmation" element={<GuardianProgress />} />
                      </CustomRoutes>],
                      [may('task-submissions'), <CustomRoutes key="collection-tasks">
                          <Route path="/task-inbox" element={<TaskInbox />} />
                          <Route path="/task-submissions/:id" element={<SubmissionPage />} />
                      </CustomRoutes>],
                  ])
                : opened([
                      [may('kindergartens'), <Resource key="kindergartens" name="kindergartens" {...kindergartens} create={may('kindergartens', 'create') ? kindergartens.create : undefined} />],
                      [may('requests'), <Resource key="requests" name="requests" {...requests} />],
                      [may('children'), <Resource key="children" name="children" {...children} />],
                      [may('problem-records'), <Resource key="problem-records" name="problem-records" {...problemRecords} />],
                      [may('transfers'), <Resource key="transfers" name="transfers" {...transfers} />],
                      [may('school-classes'), <Resource key="school-classes" name="school-classes" list={schoolClasses.list} />],
                      [may('regions'), <Resource key="regions" name="regions" {...regions} />],
                      [may('delegations'), <Resource key="delegations" name="delegations" {...delegations} />],
                      [may('chart-pages'), <Resource key="chart-pages" name="chart-pages" {...chartPages} />],
                      // 全国部署: the provinces' signed monthly packages (listed in calls on a national deployment only)
                      [may('exchange', 'nationalStatistics'), <CustomRoutes key="national"><Route path="/national-statistics" element={<NationalStatistics />} /></CustomRoutes>],
                      [may('populations'), <Resource key="populations" name="populations" {...populations} create={may('populations', 'create') ? populations.create : undefined} edit={may('populations', 'update') ? populations.edit : undefined} />],
                      [may('staff-members'), <Resource key="staff-members" name="staff-members" {...staff} />],
                      [may('training-records'), <Resource key="training-records" name="training-records" list={training.list} />],
                      // 卫生保健 (docs/health.md): regional levels read; conditions only for the county (the server decides)
                      [may('child-health-checks'), <Resource key="child-health-checks" name="child-health-checks" list={healthChecks.list} show={healthChecks.show} />],
                      [may('vaccination-checks'), <Resource key="vaccination-checks" name="vaccination-checks" list={vaccinationChecks.list} />],
                      [may('child-health-conditions'), <Resource key="child-health-conditions" name="child-health-conditions" list={healthConditions.list} />],
                      [may('aid-grants'), <Resource key="aid-grants" name="aid-grants" {...aidGrants} />],
                      [may('aid-disbursements'), <Resource key="aid-disbursements" name="aid-disbursements" {...aidDisbursements} />],
                      [may('projects'), <Resource key="projects" name="projects" {...projects} />],
                      [may('project-progress-reports'), <Resource key="project-progress-reports" name="project-progress-reports" {...progressReports} />],
                      // 安全管理 and 玩教具与图书 (admin/src/resources/safety)
                      [may('safety-inspections'), <Resource key="safety-inspections" name="safety-inspections" {...safetyInspections} create={may('safety-inspections', 'create') ? safetyInspections.create : undefined} />],
                      [may('safety-findings'), <Resource key="safety-findings" name="safety-findings" {...safetyFindings} />],
                      [may('incidents'), <Resource key="incidents" name="incidents" {...incidents} create={may('incidents', 'create') ? incidents.create : undefined} />],
                      [may('resource-inventories'), <Resource key="resource-inventories" name="resource-inventories" list={resourceInventories.list} />],
                      [may('resource-inventories', 'shortfalls'), <CustomRoutes key="safety"><Route path="/resource-shortfalls" element={<ResourceShortfalls />} /></CustomRoutes>],
                      [may('custom-fields'), <Resource key="custom-fields" name="custom-fields" {...customFields} create={may('custom-fields', 'create') ? customFields.create : undefined} edit={may('custom-fields', 'update') ? customFields.edit : undefined} />],
                      [true, <CustomRoutes key="funds">
                          <Route path="/staffing" element={<StaffingCheck />} />
                          <Route path="/staff-analysis" element={<StaffAnalysis />} />
                          <Route path="/aid-totals" element={<AidTotals />} />
                          <Route path="/project-rollup" element={<ProjectRollup />} />
                      </CustomRoutes>],
                      [true, <CustomRoutes key="oversight">
                          <Route path="/oversight" element={<Oversight />} />
                          <Route path="/guardian-confirmation" element={<GuardianProgress />} />
                      </CustomRoutes>],
                      [may('collection-tasks'), <CustomRoutes key="collection-tasks">
                          <Route path="/collection-tasks" element={<TaskList />} />
                          <Route path="/collection-tasks/:id" element={<TaskDesigner />} />
                          <Route path="/task-inbox" element={<TaskInbox />} />
                          <Route path="/task-submissions/:id" element={<SubmissionPage />} />
                      </CustomRoutes>],
                      [may('code-table'), <CustomRoutes key="code-tables"><Route path="/code-tables" element={<CodeTablesPage />} /></CustomRoutes>],
                      [may('calendar-settings'), <CustomRoutes key="calendar"><Route path="/calendar-settings" element={<CalendarSettingsPage />} /></CustomRoutes>],
                      [may('permission-matrix'), <CustomRoutes key="matrix"><Route path="/permission-matrix" element={<PermissionMatrixPage />} /></CustomRoutes>],
                      [may('account'), <Resource key="accounts" name="accounts" {...accounts} />],
                  ])
        )}
    </Admin>
);

export default App;
