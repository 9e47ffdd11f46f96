/**
 * The domain configuration (config/*.json) checked at start, one small validator per file: a
 * mistyped level, an unknown users-permissions action, a string where a number belongs stops the
 * start with a message naming the file and the JSON path, e.g.
 *   config/workflows.json: workflows.arbitration.reviewer: 'countyy' is not a level
 * instead of surfacing later as a 500 or a permission silently missing.
 * Checked: every file of config/ (DOMAIN_FILES): levels, roles, permission-matrix, workflows,
 * transitions, security, security-policy, imports, lists, calendar, student-id, classes, dictionaries,
 * code-tables, labels, indicators, staffing, demo.
 * Called at bootstrap (cms/src/index.ts); tests: tests/unit/config-schema.test.ts.
 */
import { readDomainConfig } from './paths';
import { ACTOR_RULES } from '../domain/workflows';
import { PROPOSAL_CHECKS } from '../domain/proposal-checks';

export type ConfigProblem = { file: string; path: string; message: string };
export type Reader = (name: string) => any;
/** What the running app knows, when it is there (bootstrap): the actions of its routes and its content types. */
export type Known = { actions?: Set<string>; contentTypes?: Set<string> };

const ACTION = /^(api|plugin)::[a-z0-9-]+\.[a-z0-9-]+\.[A-Za-z0-9]+$/;
const UID = /^(api|plugin)::[a-z0-9-]+\.[a-z0-9-]+$/;
const COMPONENT = /^[a-z0-9-]+\.[a-z0-9-]+$/;
const MONTH_DAY = /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const STEPS = ['submit', 'resubmit', 'return', 'approve', 'reject'];
const APPLY = ['update', 'create', 'none'];

const show = (value: unknown) => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value));
const isObject = (value: unknown): value is Record<string, any> => Boolean(value) && typeof value === 'object' && !Array.isArray(value);
/** Keys of an object that are data (not the `$comment` notes the files carry). */
const entries = (value: Record<string, any>) => Object.entries(value).filter(([key]) => !key.startsWith('$'));

/** Collects the problems of one file; each check names the JSON path from the file's root (its stem). */
class Checker {
  problems: ConfigProblem[] = [];
  constructor(readonly file: string) {}
  fail(path: string, message: string) {
    this.problems.push({ file: `config/${this.file}`, path, message });
    return false;
  }
  object(value: unknown, path: string): value is Record<string, any> {
    return isObject(value) || this.fail(path, `must be an object, not ${show(value)}`);
  }
  string(value: unknown, path: string, optional = false): value is string {
    if (optional && value === undefined) return true;
    return (typeof value === 'string' && value.length > 0) || this.fail(path, `must be a non-empty string, not ${show(value)}`);
  }
  boolean(value: unknown, path: string, optional = false) {
    if (optional && value === undefined) return true;
    return typeof value === 'boolean' || this.fail(path, `must be true or false, not ${show(value)}`);
  }
  integer(value: unknown, path: string, { min = 1, max = Number.MAX_SAFE_INTEGER, optional = false } = {}) {
    if (optional && value === undefined) return true;
    if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(path, `must be a whole number, not ${show(value)}`);
    return (value >= min && value <= max) || this.fail(path, `must be between ${min} and ${max}, not ${value}`);
  }
  strings(value: unknown, path: string, optional = false): value is string[] {
    if (optional && value === undefined) return true;
    if (!Array.isArray(value)) return this.fail(path, `must be a list, not ${show(value)}`);
    return value.every((item, i) => this.string(item, `${path}[${i}]`));
  }
  oneOf(value: unknown, allowed: readonly string[], path: string, what: string) {
    return (typeof value === 'string' && allowed.includes(value)) || this.fail(path, `${show(value)} is not ${what} (one of ${allowed.join(', ')})`);
  }
  subset(value: unknown, allowed: readonly string[], path: string, what: string) {
    if (!this.strings(value, path)) return false;
    return value.every((item, i) => this.oneOf(item, allowed, `${path}[${i}]`, what));
  }
  number(value: unknown, path: string) {
    return (typeof value === 'number' && Number.isFinite(value)) || this.fail(path, `must be a number, not ${show(value)}`);
  }
  regex(value: unknown, path: string) {
    if (!this.string(value, path)) return false;
    try {
      new RegExp(value);
      return true;
    } catch {
      return this.fail(path, `${show(value)} is not a regular expression`);
    }
  }
  pattern(value: unknown, regex: RegExp, path: string, what: string) {
    return (typeof value === 'string' && regex.test(value)) || this.fail(path, `${show(value)} is not ${what}`);
  }
  action(value: unknown, path: string, known: Known) {
    if (!this.pattern(value, ACTION, path, 'a users-permissions action (api::<api>.<controller>.<action>)')) return;
    if (known.actions?.size && !known.actions.has(value as string)) this.fail(path, `${show(value)} is an unknown action (no route declares it)`);
  }
  actions(value: unknown, path: string, known: Known) {
    if (this.strings(value, path)) value.forEach((action, i) => this.action(action, `${path}[${i}]`, known));
  }
  contentType(value: unknown, path: string, known: Known) {
    if (!this.pattern(value, UID, path, 'a content-type uid (api::<api>.<type>)')) return;
    if (known.contentTypes?.size && !known.contentTypes.has(value as string)) this.fail(path, `${show(value)} is an unknown content type`);
  }
}

function levelKeys(levels: any): string[] {
  return Array.isArray(levels?.levels) ? levels.levels.map((level: any) => level?.key).filter((key: unknown) => typeof key === 'string') : [];
}

function adminRoleKeys(roles: any): string[] {
  return isObject(roles?.adminRoles) ? entries(roles.adminRoles).filter(([, role]) => isObject(role)).map(([key]) => key) : [];
}

function checkLevels(c: Checker, levels: any) {
  if (!c.object(levels, 'levels') || !Array.isArray(levels.levels)) {
    c.fail('levels.levels', 'must be a list of levels');
    return;
  }
  const seen = new Set<string>();
  levels.levels.forEach((level: any, i: number) => {
    const path = `levels.levels[${i}]`;
    if (!c.object(level, path)) return;
    if (c.pattern(level.key, /^[a-z]+$/, `${path}.key`, 'a level key (lower-case letters)')) {
      if (seen.has(level.key)) c.fail(`${path}.key`, `${show(level.key)} is declared twice`);
      seen.add(level.key);
    }
    c.string(level.name, `${path}.name`);
    c.string(level.nameEn, `${path}.nameEn`);
    c.integer(level.regionDigits, `${path}.regionDigits`, { min: 0, max: 6 });
    if (typeof level.regionDigits === 'number' && level.regionDigits % 2) c.fail(`${path}.regionDigits`, `${level.regionDigits} is not 0, 2, 4 or 6 (GB/T 2260 digits)`);
    c.boolean(level.byInstitution, `${path}.byInstitution`, true);
  });
}

function checkRoles(c: Checker, roles: any, levels: string[], known: Known) {
  if (!c.object(roles, 'roles')) return;
  for (const key of ['common', 'public', 'authenticated']) c.actions(roles[key], `roles.${key}`, known);
  if (c.object(roles.roles, 'roles.roles')) {
    for (const [level, actions] of entries(roles.roles)) {
      if (!levels.includes(level)) c.fail(`roles.roles.${level}`, `${show(level)} is not a level (one of ${levels.join(', ')})`);
      c.actions(actions, `roles.roles.${level}`, known);
    }
  }
  if (roles.adminRoles !== undefined && c.object(roles.adminRoles, 'roles.adminRoles')) {
    for (const [type, role] of entries(roles.adminRoles)) {
      const path = `roles.adminRoles.${type}`;
      if (levels.includes(type)) c.fail(path, `${show(type)} is a level, not an administrator role`);
      if (!c.object(role, path)) continue;
      c.string(role.name, `${path}.name`);
      c.actions(role.actions, `${path}.actions`, known);
    }
  }
}

function checkPermissionMatrix(c: Checker, matrix: any, levels: string[], adminRoles: string[], known: Known) {
  if (!c.object(matrix, 'permission-matrix')) return;
  const root = 'permission-matrix';
  const roleTypes = [...levels, ...adminRoles];
  let actionKeys: string[] = [];
  if (c.object(matrix.actions, `${root}.actions`)) {
    actionKeys = entries(matrix.actions).map(([key]) => key);
    for (const [key, named] of entries(matrix.actions)) {
      if (c.object(named, `${root}.actions.${key}`)) c.string(named.name, `${root}.actions.${key}.name`);
    }
  }
  if (c.object(matrix.scopes, `${root}.scopes`)) {
    for (const [role, scope] of entries(matrix.scopes)) {
      c.oneOf(role, roleTypes, `${root}.scopes.${role}`, 'a role');
      c.string(scope, `${root}.scopes.${role}`);
    }
  }
  c.subset(matrix.securityAdminRoles, adminRoles, `${root}.securityAdminRoles`, 'an administrator role of config/roles.json');
  c.subset(matrix.readOnlyRoles, adminRoles, `${root}.readOnlyRoles`, 'an administrator role of config/roles.json');
  if (!c.object(matrix.resources, `${root}.resources`)) return;
  for (const [key, resource] of entries(matrix.resources)) {
    const path = `${root}.resources.${key}`;
    if (!c.object(resource, path)) continue;
    c.string(resource.name, `${path}.name`);
    if (!c.object(resource.cells, `${path}.cells`)) continue;
    for (const [cell, actions] of entries(resource.cells)) {
      c.oneOf(cell, actionKeys, `${path}.cells.${cell}`, `an action of ${root}.actions`);
      c.actions(actions, `${path}.cells.${cell}`, known);
    }
  }
}

/** The names the engine knows: its actor rules and the workflows' named validators. */
const ACTOR_RULE_NAMES = Object.keys(ACTOR_RULES);
const PROPOSAL_CHECK_NAMES = Object.keys(PROPOSAL_CHECKS);
const NAMED = /^(api|plugin)::[a-z0-9-]+\.[a-z0-9-]+#[A-Za-z0-9]+$/;
const SET_TOKENS = ['$now', '$comment', '$actorName'];

function checkTransitions(c: Checker, machines: any, workflowKeys: string[], known: Known) {
  if (!c.object(machines, 'transitions')) return;
  for (const [key, m] of entries(machines)) {
    const path = `transitions.${key}`;
    if (!c.object(m, path)) continue;
    c.string(m.name, `${path}.name`);
    c.contentType(m.model, `${path}.model`, known);
    c.string(m.state, `${path}.state`);
    c.boolean(m.version, `${path}.version`, true);
    c.string(m.history, `${path}.history`, true);
    c.string(m.conflict, `${path}.conflict`);
    if (!c.strings(m.states, `${path}.states`)) continue;
    if (!c.object(m.transitions, `${path}.transitions`)) continue;
    for (const [name, t] of entries(m.transitions)) {
      const at = `${path}.transitions.${name}`;
      if (!c.object(t, at)) continue;
      c.string(t.name, `${at}.name`);
      c.subset(t.from, m.states, `${at}.from`, `a state of ${path}.states`);
      if (Array.isArray(t.to)) c.subset(t.to, m.states, `${at}.to`, `a state of ${path}.states`);
      else c.oneOf(t.to, m.states, `${at}.to`, `a state of ${path}.states`);
      c.oneOf(t.actor, ACTOR_RULE_NAMES, `${at}.actor`, 'an actor rule');
      c.string(t.refusal, `${at}.refusal`);
      c.actions(t.permission, `${at}.permission`, known);
      if (t.comment !== undefined) c.oneOf(t.comment, ['required'], `${at}.comment`, 'a comment rule');
      c.string(t.commentField, `${at}.commentField`, true);
      c.string(t.commentMessage, `${at}.commentMessage`, true);
      if (t.stale !== undefined && typeof t.stale !== 'string' && c.object(t.stale, `${at}.stale`)) {
        for (const [state, text] of entries(t.stale)) {
          if (state !== '*') c.oneOf(state, m.states, `${at}.stale.${state}`, `a state of ${path}.states`);
          c.string(text, `${at}.stale.${state}`);
        }
      }
      if (t.set !== undefined && c.object(t.set, `${at}.set`)) {
        for (const [field, value] of entries(t.set)) {
          if (typeof value === 'string' && value.startsWith('$')) c.oneOf(value, SET_TOKENS, `${at}.set.${field}`, 'a value token');
        }
      }
      if (t.checks !== undefined && c.strings(t.checks, `${at}.checks`)) t.checks.forEach((check: string, i: number) => c.pattern(check, NAMED, `${at}.checks[${i}]`, 'a named check (<service uid>#<method>)'));
      if (t.effect !== undefined) c.pattern(t.effect, NAMED, `${at}.effect`, 'a named effect (<service uid>#<method>)');
      if (t.workflow !== undefined) c.oneOf(t.workflow, workflowKeys, `${at}.workflow`, 'a workflow of config/workflows.json');
    }
  }
}

function checkWorkflows(c: Checker, workflows: any, levels: string[], known: Known, machines: any = {}) {
  if (!c.object(workflows, 'workflows')) return;
  for (const [key, wf] of entries(workflows)) {
    const path = `workflows.${key}`;
    if (!c.object(wf, path)) continue;
    c.string(wf.name, `${path}.name`);
    c.string(wf.nameEn, `${path}.nameEn`);
    c.contentType(wf.subject, `${path}.subject`, known);
    c.strings(wf.fields, `${path}.fields`);
    if (wf.required !== undefined && Array.isArray(wf.fields)) c.subset(wf.required, wf.fields, `${path}.required`, `a field of ${path}.fields`);
    // 'guardian': a guardian's session on the guardian page (docs/guardians.md), beside the levels
    c.subset(wf.submitters, [...levels, 'guardian'], `${path}.submitters`, 'a level or guardian');
    c.oneOf(wf.reviewer, levels, `${path}.reviewer`, 'a level');
    c.integer(wf.dueWorkingDays, `${path}.dueWorkingDays`);
    c.oneOf(wf.apply, APPLY, `${path}.apply`, 'a way to apply');
    if (wf.apply === 'create' || wf.target !== undefined) c.contentType(wf.target, `${path}.target`, known);
    c.string(wf.subjectField, `${path}.subjectField`, true);
    if (wf.effect !== undefined) c.pattern(wf.effect, NAMED, `${path}.effect`, 'a named effect (<service uid>#<method>)');
    if (wf.effectPermission !== undefined) c.action(wf.effectPermission, `${path}.effectPermission`, known);
    c.boolean(wf.evidence, `${path}.evidence`, true);
    if (wf.checks !== undefined) c.subset(wf.checks, PROPOSAL_CHECK_NAMES, `${path}.checks`, 'a named check of cms/src/domain/proposal-checks.ts');
    if (wf.notice !== undefined && c.object(wf.notice, `${path}.notice`)) {
      c.string(wf.notice.field, `${path}.notice.field`);
      c.string(wf.notice.dictionary, `${path}.notice.dictionary`);
    }
    if (wf.subjectMachine !== undefined || wf.subjectTransitions !== undefined) {
      const machineKeys = isObject(machines) ? entries(machines).map(([key]) => key) : [];
      if (c.oneOf(wf.subjectMachine, machineKeys, `${path}.subjectMachine`, 'a machine of config/transitions.json') && c.object(wf.subjectTransitions, `${path}.subjectTransitions`)) {
        const names = Object.keys(machines[wf.subjectMachine]?.transitions ?? {});
        for (const [step, name] of entries(wf.subjectTransitions)) {
          c.oneOf(step, STEPS, `${path}.subjectTransitions.${step}`, 'a step');
          c.oneOf(name, names, `${path}.subjectTransitions.${step}`, `a transition of transitions.${wf.subjectMachine}`);
        }
      }
    }
    if (wf.subjectUpdates !== undefined && c.object(wf.subjectUpdates, `${path}.subjectUpdates`)) {
      for (const [step, updates] of entries(wf.subjectUpdates)) {
        c.oneOf(step, STEPS, `${path}.subjectUpdates.${step}`, 'a step');
        c.object(updates, `${path}.subjectUpdates.${step}`);
      }
    }
  }
}

function checkSecurity(c: Checker, security: any, levels: string[], adminRoles: string[], known: Known) {
  if (!c.object(security, 'security')) return;
  const numbers: Record<string, Record<string, number>> = {
    password: { minLength: 1, minKinds: 1, maxAgeDays: 1, historySize: 0 },
    lockout: { maxFailures: 1, lockMinutes: 1 },
    rateLimit: { windowSeconds: 1, maxRequests: 1 },
    session: { accessTokenMinutes: 1, idleMinutes: 1, absoluteHours: 1, touchSeconds: 0, cacheSeconds: 0 },
    totp: { digits: 6, periodSeconds: 1, window: 0 },
  };
  for (const [section, fields] of Object.entries(numbers)) {
    if (!c.object(security[section], `security.${section}`)) continue;
    for (const [field, min] of Object.entries(fields)) c.integer(security[section][field], `security.${section}.${field}`, { min });
  }
  if (isObject(security.password)) c.integer(security.password.minKinds, 'security.password.minKinds', { min: 1, max: 4 });
  if (isObject(security.rateLimit)) c.strings(security.rateLimit.paths, 'security.rateLimit.paths');
  if (isObject(security.totp)) {
    c.string(security.totp.issuer, 'security.totp.issuer');
    c.subset(security.totp.requiredLevels, levels, 'security.totp.requiredLevels', 'a level');
    c.subset(security.totp.requiredRoles, adminRoles, 'security.totp.requiredRoles', 'an administrator role of config/roles.json');
  }
  if (isObject(security.demo)) {
    c.boolean(security.demo.passwordChanged, 'security.demo.passwordChanged');
    c.boolean(security.demo.totpExempt, 'security.demo.totpExempt');
  }
  if (security.http !== undefined && c.object(security.http, 'security.http')) {
    c.strings(security.http.corsOrigins, 'security.http.corsOrigins');
    c.integer(security.http.uploadMaxBytes, 'security.http.uploadMaxBytes');
    c.strings(security.http.uploadTypes, 'security.http.uploadTypes');
  }
  if (security.encryption !== undefined && c.object(security.encryption, 'security.encryption') && c.object(security.encryption.fields, 'security.encryption.fields')) {
    for (const [model, fields] of entries(security.encryption.fields)) {
      const path = `security.encryption.fields.${model}`;
      if (!UID.test(model) && !COMPONENT.test(model)) c.fail(path, `${show(model)} is not a content-type or component uid`);
      else if (UID.test(model) && known.contentTypes?.size && !known.contentTypes.has(model)) c.fail(path, `${show(model)} is an unknown content type`);
      c.strings(fields, path);
    }
  }
  if (!c.object(security.audit, 'security.audit')) return;
  c.integer(security.audit.retentionDays, 'security.audit.retentionDays');
  c.strings(security.audit.maskedFields, 'security.audit.maskedFields');
  if (!Array.isArray(security.audit.routes)) {
    c.fail('security.audit.routes', 'must be a list of routes');
    return;
  }
  security.audit.routes.forEach((route: any, i: number) => {
    const path = `security.audit.routes[${i}]`;
    if (!c.object(route, path)) return;
    if (c.string(route.method, `${path}.method`)) {
      for (const method of route.method.split(',')) c.oneOf(method.trim(), ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], `${path}.method`, 'an HTTP method');
    }
    if (c.string(route.pattern, `${path}.pattern`)) {
      try {
        new RegExp(route.pattern);
      } catch {
        c.fail(`${path}.pattern`, `${show(route.pattern)} is not a regular expression`);
      }
    }
    c.string(route.action, `${path}.action`);
  });
}

function checkImports(c: Checker, imports: any) {
  if (!c.object(imports, 'imports')) return;
  for (const field of ['maxBytes', 'maxRows', 'validateChunk', 'insertChunk', 'dupQueryChunk', 'keepErrors', 'rowsAtOnce']) c.integer(imports[field], `imports.${field}`);
  for (const field of ['likelyDateChunk', 'exportPage']) c.integer(imports[field], `imports.${field}`, { optional: true });
  c.integer(imports.exportJobAboveRows, 'imports.exportJobAboveRows', { min: 0, optional: true });
  c.integer(imports.storedPartBytes, 'imports.storedPartBytes', { min: 65536, max: 67108864, optional: true });
  c.integer(imports.exportFileHours, 'imports.exportFileHours', { min: 1, optional: true });
  if (imports.interruptedJobs !== undefined && c.object(imports.interruptedJobs, 'imports.interruptedJobs')) {
    for (const field of ['staleMinutes', 'heartbeatSeconds']) c.integer(imports.interruptedJobs[field], `imports.interruptedJobs.${field}`, { optional: true });
    c.integer(imports.interruptedJobs.maxResumes, 'imports.interruptedJobs.maxResumes', { min: 0, max: 10, optional: true });
  }
  if (imports.exportJobs !== undefined && c.object(imports.exportJobs, 'imports.exportJobs')) {
    c.integer(imports.exportJobs.heartbeatSeconds, 'imports.exportJobs.heartbeatSeconds', { min: 1, max: 60, optional: true });
    c.integer(imports.exportJobs.staleSeconds, 'imports.exportJobs.staleSeconds', { min: 5, max: 3600, optional: true });
    c.integer(imports.exportJobs.maxAttempts, 'imports.exportJobs.maxAttempts', { min: 1, max: 10, optional: true });
    const { heartbeatSeconds = 5, staleSeconds = 30 } = imports.exportJobs;
    if (Number.isInteger(heartbeatSeconds) && Number.isInteger(staleSeconds) && staleSeconds < 3 * heartbeatSeconds) {
      c.fail('imports.exportJobs.staleSeconds', `${staleSeconds} must be at least 3 × heartbeatSeconds (${heartbeatSeconds}): a live run would be taken over`);
    }
  }
}

function checkLists(c: Checker, lists: any, known: Known) {
  if (!c.object(lists, 'lists')) return;
  c.integer(lists.exactCountUpTo, 'lists.exactCountUpTo', { min: 0 });
  if (c.strings(lists.estimated, 'lists.estimated')) lists.estimated.forEach((uid: unknown, i: number) => c.contentType(uid, `lists.estimated[${i}]`, known));
  if (lists.narrowColumns !== undefined && c.strings(lists.narrowColumns, 'lists.narrowColumns')) {
    // the uid's form (a type that does not exist narrows nothing: its lists read every column, as without the entry)
    lists.narrowColumns.forEach((uid: unknown, i: number) => c.contentType(uid, `lists.narrowColumns[${i}]`, {}));
  }
  if (lists.leanRead !== undefined && c.strings(lists.leanRead, 'lists.leanRead')) {
    // the uid's form (a type that does not exist reads nothing the lean way)
    lists.leanRead.forEach((uid: unknown, i: number) => c.contentType(uid, `lists.leanRead[${i}]`, {}));
  }
}

const CRON = /^(\S+\s+){4}\S+$/;
function checkCluster(c: Checker, cluster: any) {
  if (!c.object(cluster, 'cluster')) return;
  if (c.object(cluster.jobs, 'cluster.jobs')) {
    for (const [name, job] of entries(cluster.jobs)) {
      const path = `cluster.jobs.${name}`;
      if (!c.object(job, path)) continue;
      if (job.cron !== null && job.cron !== undefined) c.pattern(job.cron, CRON, `${path}.cron`, 'a cron expression of five fields');
      c.integer(job.retryLimit, `${path}.retryLimit`, { min: 0, max: 100, optional: true });
      c.integer(job.retryDelaySeconds, `${path}.retryDelaySeconds`, { min: 1, optional: true });
      c.integer(job.expireInMinutes, `${path}.expireInMinutes`, { min: 1, max: 23 * 60, optional: true });
      c.integer(job.workers, `${path}.workers`, { min: 1, max: 16, optional: true });
      c.integer(job.pollSeconds, `${path}.pollSeconds`, { min: 1, max: 60, optional: true });
    }
  }
  if (c.object(cluster.replica, 'cluster.replica')) {
    for (const field of ['maxLagSeconds', 'readYourWritesSeconds', 'checkEverySeconds']) c.integer(cluster.replica[field], `cluster.replica.${field}`);
    if (cluster.replica.lists !== undefined && c.object(cluster.replica.lists, 'cluster.replica.lists')) {
      for (const [uid, paths] of entries(cluster.replica.lists)) {
        c.contentType(uid, `cluster.replica.lists.${uid}`, {});
        if (c.strings(paths, `cluster.replica.lists.${uid}`)) (paths as unknown[]).forEach((value, i) => c.pattern(value, /^\/api\/[a-z0-9/-]+\*?$/, `cluster.replica.lists.${uid}[${i}]`, 'a path under /api/, optionally ending in *'));
      }
    }
    if (cluster.replica.listLevels !== undefined) c.strings(cluster.replica.listLevels, 'cluster.replica.listLevels');
  }
  if (cluster.server !== undefined && c.object(cluster.server, 'cluster.server')) {
    c.integer(cluster.server.maxHeapMegabytes, 'cluster.server.maxHeapMegabytes', { min: 128, max: 65536, optional: true });
    c.integer(cluster.server.semiSpaceMegabytes, 'cluster.server.semiSpaceMegabytes', { min: 1, max: 256, optional: true });
    c.integer(cluster.server.mallocArenas, 'cluster.server.mallocArenas', { min: 1, max: 64, optional: true });
    c.integer(cluster.server.mallocMmapThresholdBytes, 'cluster.server.mallocMmapThresholdBytes', { min: 4096, max: 33554432, optional: true });
    if (cluster.server.admission !== undefined && c.object(cluster.server.admission, 'cluster.server.admission')) {
      // concurrent 0: no limit (cms/src/middlewares/admission.ts)
      c.integer(cluster.server.admission.concurrent, 'cluster.server.admission.concurrent', { min: 0, max: 10000 });
      c.integer(cluster.server.admission.queue, 'cluster.server.admission.queue', { min: 0, max: 1000000 });
      c.integer(cluster.server.admission.queueSeconds, 'cluster.server.admission.queueSeconds', { min: 1, max: 600 });
    }
  }
}

function checkCalendar(c: Checker, calendar: any, workflowKeys: string[]) {
  if (!c.object(calendar, 'calendar')) return;
  if (c.string(calendar.timeZone, 'calendar.timeZone')) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: calendar.timeZone });
    } catch {
      c.fail('calendar.timeZone', `${show(calendar.timeZone)} is not a time zone`);
    }
  }
  c.integer(calendar.monthlyUpdateDay, 'calendar.monthlyUpdateDay', { min: 1, max: 31 });
  if (c.object(calendar.overrides, 'calendar.overrides')) {
    for (const kind of ['workdays', 'holidays']) {
      if (c.strings(calendar.overrides[kind], `calendar.overrides.${kind}`)) {
        calendar.overrides[kind].forEach((day: unknown, i: number) => c.pattern(day, DATE, `calendar.overrides.${kind}[${i}]`, 'a date (YYYY-MM-DD)'));
      }
    }
  }
  if (c.object(calendar.windows, 'calendar.windows')) {
    for (const [name, window] of entries(calendar.windows)) {
      if (!c.object(window, `calendar.windows.${name}`)) continue;
      c.pattern(window.from, MONTH_DAY, `calendar.windows.${name}.from`, 'a day of the year (MM-DD)');
      c.pattern(window.to, MONTH_DAY, `calendar.windows.${name}.to`, 'a day of the year (MM-DD)');
    }
  }
  if (c.object(calendar.lifecycleDeadlines, 'calendar.lifecycleDeadlines')) {
    for (const [name, days] of entries(calendar.lifecycleDeadlines)) c.integer(days, `calendar.lifecycleDeadlines.${name}`);
  }
  if (calendar.reviewDeadlines !== undefined && c.object(calendar.reviewDeadlines, 'calendar.reviewDeadlines')) {
    for (const [key, days] of entries(calendar.reviewDeadlines)) {
      c.oneOf(key, workflowKeys, `calendar.reviewDeadlines.${key}`, 'a workflow of config/workflows.json');
      c.integer(days, `calendar.reviewDeadlines.${key}`);
    }
  }
}

function checkStudentId(c: Checker, rule: any) {
  if (!c.object(rule, 'student-id')) return;
  const prefixes = ['withResidentId', 'withoutResidentId', 'temporary'];
  for (const field of prefixes) c.pattern(rule[field], /^[A-Z]$/, `student-id.${field}`, 'one upper-case letter');
  const letters = prefixes.map((field) => rule[field]).filter((letter) => typeof letter === 'string');
  if (new Set(letters).size !== letters.length) c.fail('student-id', `the prefixes ${letters.join(', ')} must differ: a number's kind is read from its letter`);
  c.integer(rule.formalSequenceDigits, 'student-id.formalSequenceDigits', { min: 1, max: 6 });
  c.integer(rule.temporarySequenceDigits, 'student-id.temporarySequenceDigits', { min: 1, max: 6 });
}

function checkGuardians(c: Checker, guardians: any) {
  if (!c.object(guardians, 'guardians')) return;
  if (c.object(guardians.invitation, 'guardians.invitation')) {
    c.integer(guardians.invitation.validDays, 'guardians.invitation.validDays', { max: 365 });
    c.integer(guardians.invitation.codeLength, 'guardians.invitation.codeLength', { min: 8, max: 16 });
    c.integer(guardians.invitation.maxFailures, 'guardians.invitation.maxFailures', { max: 20 });
    c.integer(guardians.invitation.lockMinutes, 'guardians.invitation.lockMinutes', { max: 1440 });
  }
  if (c.object(guardians.fact, 'guardians.fact')) c.integer(guardians.fact.digits, 'guardians.fact.digits', { min: 4, max: 8 });
  if (c.object(guardians.session, 'guardians.session')) c.integer(guardians.session.minutes, 'guardians.session.minutes', { min: 5, max: 120 });
  c.strings(guardians.shown, 'guardians.shown');
  c.string(guardians.proof, 'guardians.proof');
}

function checkClasses(c: Checker, classes: any, grades: string[]) {
  if (!c.object(classes, 'classes') || !c.object(classes.sizeLimits, 'classes.sizeLimits')) return;
  for (const [grade, limit] of entries(classes.sizeLimits)) {
    const path = `classes.sizeLimits.${grade}`;
    if (grades.length) c.oneOf(grade, grades, path, 'a class grade of config/dictionaries.json classGrade');
    if (!c.object(limit, path)) continue;
    c.integer(limit.min, `${path}.min`, { optional: true });
    c.integer(limit.max, `${path}.max`);
    if (typeof limit.min === 'number' && typeof limit.max === 'number' && limit.min > limit.max) c.fail(path, `min ${limit.min} is above max ${limit.max}`);
  }
}

/** config/vocabulary.json: named entries in both languages; a state group is a list of them or a code table's name. */
function checkVocabulary(c: Checker, vocabulary: any, tables: string[]) {
  if (!c.object(vocabulary, 'vocabulary')) return;
  const named = (list: unknown, path: string) => {
    if (!Array.isArray(list)) return c.fail(path, `must be a list, not ${show(list)}`);
    list.forEach((item, i) => {
      if (!c.object(item, `${path}[${i}]`)) return;
      c.string(item.code, `${path}[${i}].code`);
      c.string(item.name, `${path}[${i}].name`);
      c.string(item.nameEn, `${path}[${i}].nameEn`);
    });
    return true;
  };
  named(vocabulary.yesNo, 'vocabulary.yesNo');
  if (c.object(vocabulary.states, 'vocabulary.states')) {
    for (const [group, value] of entries(vocabulary.states)) {
      const path = `vocabulary.states.${group}`;
      c.pattern(group, /^[a-z-]+\.[a-zA-Z]+$/, path, "a '<resource>.<field>' name");
      if (typeof value === 'string') c.oneOf(value, tables, path, 'a code table of config/dictionaries.json');
      else named(value, path);
    }
  }
  if (c.object(vocabulary.tablesEn, 'vocabulary.tablesEn')) {
    for (const [table, names] of entries(vocabulary.tablesEn)) {
      const path = `vocabulary.tablesEn.${table}`;
      c.oneOf(table, tables, path, 'a code table of config/dictionaries.json');
      if (c.object(names, path)) for (const [code, name] of Object.entries(names)) c.string(name, `${path}.${code}`);
    }
  }
}

/* ---- config/field-formats.json: the named formats of custom fields (cms/src/domain/field-formats.ts) ---- */

const FORMAT_TYPES = ['text', 'number'] as const;
const FORMAT_CHECKS = ['residentId', 'creditCode'] as const;

function checkFieldFormats(c: Checker, config: any) {
  if (!c.object(config, 'field-formats') || !c.object(config.formats, 'field-formats.formats')) return;
  for (const [key, format] of entries(config.formats)) {
    const path = `field-formats.formats.${key}`;
    c.pattern(key, /^[a-zA-Z][a-zA-Z0-9]{0,39}$/, path, 'a format key (letters and digits, at most 40)');
    if (!c.object(format, path)) continue;
    for (const field of ['name', 'nameEn', 'message', 'messageEn', 'example']) c.string(format[field], `${path}.${field}`);
    c.oneOf(format.type, FORMAT_TYPES, `${path}.type`, 'a field type that takes a format');
    c.boolean(format.integer, `${path}.integer`, true);
    if (format.check !== undefined) c.oneOf(format.check, FORMAT_CHECKS, `${path}.check`, 'a check the server knows');
    if (format.pattern !== undefined && c.string(format.pattern, `${path}.pattern`)) {
      let regex: RegExp | null = null;
      try {
        regex = new RegExp(format.pattern);
      } catch {
        c.fail(`${path}.pattern`, `${show(format.pattern)} is not a valid regular expression`);
      }
      if (regex && typeof format.example === 'string' && !regex.test(format.example)) c.fail(`${path}.example`, `${show(format.example)} does not match the pattern`);
    }
    if (format.pattern === undefined && !format.integer) c.fail(path, 'a format needs a pattern or integer: true');
  }
}

const KEY = /^[A-Za-z][A-Za-z0-9-]*$/;
const INDICATOR_KINDS = ['region', 'kindergarten', 'schoolClass', 'kindergartenField', 'kindergartenFlag', 'classField', 'childField', 'snapshot', 'incidentField'];
const FILTER_KINDS = [...INDICATOR_KINDS.filter((kind) => kind !== 'kindergarten' && kind !== 'schoolClass' && kind !== 'snapshot' && kind !== 'incidentField'), 'year', 'period'];
const SOURCES = ['kindergartens', 'classes', 'children', 'population', 'staff', 'health', 'safety', 'incidents'];
const OPERATORS = ['>=', '<=', '>', '<'];

/** The codes of one code table of dictionaries.json ([] when it is missing). */
function codesOf(dictionaries: any, table: string): string[] {
  return Array.isArray(dictionaries?.[table]) ? dictionaries[table].map((entry: any) => entry?.code).filter((code: unknown) => typeof code === 'string') : [];
}

function checkDictionaries(c: Checker, dictionaries: any) {
  if (!c.object(dictionaries, 'dictionaries')) return;
  for (const [table, list] of entries(dictionaries)) {
    const path = `dictionaries.${table}`;
    if (!Array.isArray(list)) {
      c.fail(path, `must be a list of {code, name}, not ${show(list)}`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((entry: any, i: number) => {
      if (!c.object(entry, `${path}[${i}]`)) return;
      if (c.string(entry.code, `${path}[${i}].code`)) {
        if (seen.has(entry.code)) c.fail(`${path}[${i}].code`, `${show(entry.code)} appears twice in the table`);
        seen.add(entry.code);
      }
      c.string(entry.name, `${path}[${i}].name`);
    });
  }
  const grades = codesOf(dictionaries, 'classGrade');
  (Array.isArray(dictionaries.classGrade) ? dictionaries.classGrade : []).forEach((entry: any, i: number) => {
    if (entry?.next !== undefined && entry.next !== null) c.oneOf(entry.next, grades, `dictionaries.classGrade[${i}].next`, 'a class grade');
  });
}

function checkCodeTables(c: Checker, codeTables: any, dictionaries: any) {
  if (!c.object(codeTables, 'code-tables')) return;
  c.regex(codeTables.codePattern, 'code-tables.codePattern');
  c.integer(codeTables.nameMaxLength, 'code-tables.nameMaxLength', { max: 500 });
  if (!c.object(codeTables.tables, 'code-tables.tables')) return;
  const tables = isObject(dictionaries) ? entries(dictionaries).map(([key]) => key) : [];
  for (const [table, about] of entries(codeTables.tables)) {
    const path = `code-tables.tables.${table}`;
    if (tables.length) c.oneOf(table, tables, path, 'a code table of config/dictionaries.json');
    if (!c.object(about, path)) continue;
    c.string(about.name, `${path}.name`);
    c.string(about.nameEn, `${path}.nameEn`, true);
  }
}

function checkLabels(c: Checker, labels: any) {
  if (!c.object(labels, 'labels')) return;
  for (const [model, fields] of entries(labels)) {
    if (!c.object(fields, `labels.${model}`)) continue;
    for (const [field, label] of entries(fields)) c.string(label, `labels.${model}.${field}`);
  }
}

function checkIndicators(c: Checker, indicators: any, dictionaries: any) {
  if (!c.object(indicators, 'indicators')) return;
  const tables = isObject(dictionaries) ? entries(dictionaries).map(([key]) => key) : [];
  const figures = isObject(indicators.figures) ? entries(indicators.figures).map(([key]) => key) : [];
  if (c.object(indicators.figures, 'indicators.figures')) {
    for (const [key, figure] of entries(indicators.figures)) {
      const path = `indicators.figures.${key}`;
      if (!c.object(figure, path)) continue;
      c.string(figure.label, `${path}.label`);
      c.string(figure.unit, `${path}.unit`);
      c.oneOf(figure.source, SOURCES, `${path}.source`, 'a source of figures');
    }
  }
  const keys = isObject(indicators.indicators) ? entries(indicators.indicators).map(([key]) => key) : [];
  if (c.object(indicators.indicators, 'indicators.indicators')) {
    for (const [key, indicator] of entries(indicators.indicators)) {
      const path = `indicators.indicators.${key}`;
      if (!c.object(indicator, path)) continue;
      c.string(indicator.label, `${path}.label`);
      c.string(indicator.unit, `${path}.unit`);
      c.integer(indicator.scale, `${path}.scale`, { optional: true });
      c.oneOf(indicator.numerator, figures, `${path}.numerator`, 'a figure of indicators.figures');
      c.oneOf(indicator.denominator, figures, `${path}.denominator`, 'a figure of indicators.figures');
      if (indicator.target !== undefined && indicator.target !== null && c.object(indicator.target, `${path}.target`)) {
        c.oneOf(indicator.target.op, OPERATORS, `${path}.target.op`, 'a comparison');
        c.number(indicator.target.value, `${path}.target.value`);
      }
    }
  }
  c.subset(indicators.keyIndicators, keys, 'indicators.keyIndicators', 'an indicator of indicators.indicators');
  const definitions = (group: 'dimensions' | 'filters', kinds: string[]) => {
    if (!c.object(indicators[group], `indicators.${group}`)) return;
    for (const [key, definition] of entries(indicators[group])) {
      const path = `indicators.${group}.${key}`;
      if (!c.object(definition, path)) continue;
      c.string(definition.label, `${path}.label`);
      c.oneOf(definition.kind, kinds, `${path}.kind`, `a kind of ${group === 'dimensions' ? 'dimension' : 'filter'}`);
      if (definition.digits !== undefined && ![2, 4, 6].includes(definition.digits)) c.fail(`${path}.digits`, `must be 2, 4 or 6, not ${show(definition.digits)}`);
      c.string(definition.column, `${path}.column`, true);
      if (definition.dictionary !== undefined && tables.length) c.oneOf(definition.dictionary, tables, `${path}.dictionary`, 'a code table of config/dictionaries.json');
      if (group === 'dimensions') c.subset(definition.sources, SOURCES, `${path}.sources`, 'a source of figures');
    }
  };
  definitions('dimensions', INDICATOR_KINDS);
  definitions('filters', FILTER_KINDS);
  c.strings(indicators.chartTypes, 'indicators.chartTypes');
  if (indicators.dashboardCards !== undefined && c.object(indicators.dashboardCards, 'indicators.dashboardCards')) {
    for (const [group, keys] of entries(indicators.dashboardCards)) c.subset(keys, [...(isObject(indicators.indicators) ? Object.keys(indicators.indicators) : []), ...figures], `indicators.dashboardCards.${group}`, 'an indicator or figure of config/indicators.json');
  }
  if (indicators.labelsEn !== undefined && c.object(indicators.labelsEn, 'indicators.labelsEn')) {
    const named = ['figures', 'indicators', 'dimensions', 'filters'].flatMap((group) => (isObject(indicators[group]) ? Object.keys(indicators[group]) : []));
    c.subset(Object.keys(indicators.labelsEn), named, 'indicators.labelsEn', 'a figure, indicator, dimension or filter of config/indicators.json');
    for (const [key, label] of entries(indicators.labelsEn)) c.string(label, `indicators.labelsEn.${key}`);
  }
  c.integer(indicators.dashboardCacheSeconds, 'indicators.dashboardCacheSeconds', { min: 0, optional: true });
  c.integer(indicators.dashboardSyncRefreshMs, 'indicators.dashboardSyncRefreshMs', { min: 0, optional: true });
  if (indicators.dashboardComputeShare !== undefined
    && !(typeof indicators.dashboardComputeShare === 'number' && indicators.dashboardComputeShare > 0 && indicators.dashboardComputeShare <= 1)) {
    c.fail('indicators.dashboardComputeShare', 'must be a number above 0 and at most 1');
  }
  if (indicators.staff !== undefined && c.object(indicators.staff, 'indicators.staff')) {
    for (const field of ['table', 'fullTimeTeacherPost', 'activeStatus']) c.string(indicators.staff[field], `indicators.staff.${field}`);
  }
}

function checkStaffing(c: Checker, staffing: any, dictionaries: any) {
  if (!c.object(staffing, 'staffing')) return;
  const posts = codesOf(dictionaries, 'staffPost');
  const statuses = codesOf(dictionaries, 'employmentStatus');
  const postList = (value: unknown, path: string) => (posts.length ? c.subset(value, posts, path, 'a post of config/dictionaries.json staffPost') : c.strings(value, path));
  for (const ratio of ['staffToChildren', 'educatorsToChildren']) {
    const path = `staffing.${ratio}`;
    if (!c.object(staffing[ratio], path)) continue;
    c.integer(staffing[ratio].min, `${path}.min`);
    c.integer(staffing[ratio].max, `${path}.max`);
    if (staffing[ratio].min > staffing[ratio].max) c.fail(path, `min ${staffing[ratio].min} is above max ${staffing[ratio].max}`);
    postList(staffing[ratio].posts, `${path}.posts`);
  }
  if (c.object(staffing.perClass, 'staffing.perClass')) {
    c.integer(staffing.perClass.teachers, 'staffing.perClass.teachers', { min: 0 });
    c.integer(staffing.perClass.careWorkers, 'staffing.perClass.careWorkers', { min: 0 });
  }
  for (const field of ['teacherPosts', 'careWorkerPosts', 'certificatePosts']) postList(staffing[field], `staffing.${field}`);
  if (statuses.length) c.subset(staffing.activeStatuses, statuses, 'staffing.activeStatuses', 'a status of config/dictionaries.json employmentStatus');
  else c.strings(staffing.activeStatuses, 'staffing.activeStatuses');
  if (Array.isArray(staffing.ageBands)) {
    staffing.ageBands.forEach((band: any, i: number) => {
      if (!c.object(band, `staffing.ageBands[${i}]`)) return;
      c.string(band.code, `staffing.ageBands[${i}].code`);
      c.string(band.name, `staffing.ageBands[${i}].name`);
      c.integer(band.from, `staffing.ageBands[${i}].from`, { min: 0, max: 120 });
    });
  } else c.fail('staffing.ageBands', `must be a list, not ${show(staffing.ageBands)}`);
  if (c.object(staffing.aid, 'staffing.aid')) {
    c.regex(staffing.aid.termPattern, 'staffing.aid.termPattern');
    c.integer(staffing.aid.maxAmount, 'staffing.aid.maxAmount');
  }
  if (c.object(staffing.projects, 'staffing.projects') && staffing.projects.reportDueDay !== 'last') {
    c.integer(staffing.projects.reportDueDay, 'staffing.projects.reportDueDay', { min: 1, max: 31 });
  }
}

function checkSecurityPolicy(c: Checker, policy: any, security: any, adminRoles: string[]) {
  if (!c.object(policy, 'security-policy')) return;
  if (!Array.isArray(policy.fields)) {
    c.fail('security-policy.fields', `must be a list, not ${show(policy.fields)}`);
    return;
  }
  policy.fields.forEach((field: any, i: number) => {
    const path = `security-policy.fields[${i}]`;
    if (!c.object(field, path)) return;
    if (c.pattern(field.key, /^[A-Za-z]+(\.[A-Za-z]+)+$/, `${path}.key`, 'a path into config/security.json (section.setting)') && isObject(security)) {
      const found = field.key.split('.').reduce((value: any, part: string) => (isObject(value) ? value[part] : undefined), security);
      if (found === undefined) c.fail(`${path}.key`, `${show(field.key)} is not a setting of config/security.json`);
    }
    c.string(field.label, `${path}.label`);
    if (!c.oneOf(field.kind, ['integer', 'levels', 'adminRoles'], `${path}.kind`, 'a kind of setting')) return;
    if (field.kind === 'integer') {
      c.integer(field.min, `${path}.min`, { min: 0 });
      c.integer(field.max, `${path}.max`, { min: 0 });
      if (field.min > field.max) c.fail(path, `min ${field.min} is above max ${field.max}`);
      c.integer(field.level3Min, `${path}.level3Min`, { min: 0, optional: true });
      c.integer(field.level3Max, `${path}.level3Max`, { min: 0, optional: true });
    }
    if (field.level3Includes !== undefined) c.subset(field.level3Includes, adminRoles, `${path}.level3Includes`, 'an administrator role of config/roles.json');
    c.string(field.level3Reason, `${path}.level3Reason`, true);
  });
}

function checkDemo(c: Checker, demo: any, levels: string[], dictionaries: any) {
  if (!c.object(demo, 'demo')) return;
  c.pattern(demo.province, /^\d{6}$/, 'demo.province', 'a 6-digit region code');
  const list = (name: string) => (Array.isArray(demo[name]) ? demo[name] : (c.fail(`demo.${name}`, `must be a list, not ${show(demo[name])}`), []));
  const codes: string[] = [];
  list('kindergartens').forEach((k: any, i: number) => {
    const path = `demo.kindergartens[${i}]`;
    if (!c.object(k, path)) return;
    if (c.pattern(k.code, /^\d{10}$/, `${path}.code`, 'a 10-digit 机构标识码')) codes.push(k.code);
    c.pattern(k.countyCode, /^\d{6}$/, `${path}.countyCode`, 'a 6-digit county code');
    c.string(k.name, `${path}.name`);
  });
  list('accounts').forEach((account: any, i: number) => {
    const path = `demo.accounts[${i}]`;
    if (!c.object(account, path)) return;
    c.string(account.username, `${path}.username`);
    c.oneOf(account.level, levels, `${path}.level`, 'a level');
    if (account.regionCode !== undefined) c.pattern(account.regionCode, /^\d{6}$/, `${path}.regionCode`, 'a 6-digit region code');
    if (account.institutionCode !== undefined) c.oneOf(account.institutionCode, codes, `${path}.institutionCode`, 'a kindergarten of demo.kindergartens');
  });
  const grades = codesOf(dictionaries, 'classGrade');
  list('classes').forEach((klass: any, i: number) => {
    const path = `demo.classes[${i}]`;
    if (!c.object(klass, path)) return;
    c.oneOf(klass.kindergarten, codes, `${path}.kindergarten`, 'a kindergarten of demo.kindergartens');
    if (grades.length) c.oneOf(klass.grade, grades, `${path}.grade`, 'a class grade of config/dictionaries.json classGrade');
  });
  // the demo's collection tasks (cms/src/bootstrap/demo-tasks.ts): designed by a demo account, answered by demo kindergartens
  const usernames = (Array.isArray(demo.accounts) ? demo.accounts : []).map((a: any) => a?.username);
  (Array.isArray(demo.collectionTasks) ? demo.collectionTasks : []).forEach((task: any, i: number) => {
    const path = `demo.collectionTasks[${i}]`;
    if (!c.object(task, path)) return;
    c.oneOf(task.designer, usernames, `${path}.designer`, 'a demo account');
    if (c.object(task.design, `${path}.design`)) c.string(task.design.title, `${path}.design.title`);
    if (c.object(task.answers, `${path}.answers`)) for (const code of Object.keys(task.answers)) c.oneOf(code, codes, `${path}.answers.${code}`, 'a kindergarten of demo.kindergartens');
  });
  for (const name of ['staff', 'aid']) {
    list(name).forEach((item: any, i: number) => {
      if (c.object(item, `demo.${name}[${i}]`)) c.oneOf(item.institutionCode, codes, `demo.${name}[${i}].institutionCode`, 'a kindergarten of demo.kindergartens');
    });
  }
  list('children').forEach((child: any, i: number) => {
    if (c.object(child, `demo.children[${i}]`)) c.oneOf(child.kindergarten, codes, `demo.children[${i}].kindergarten`, 'a kindergarten of demo.kindergartens');
  });
  for (const name of ['trainings', 'projects']) list(name).forEach((item: any, i: number) => c.object(item, `demo.${name}[${i}]`));
  if (demo.healthChecks !== undefined) {
    list('healthChecks').forEach((item: any, i: number) => {
      const path = `demo.healthChecks[${i}]`;
      if (!c.object(item, path)) return;
      c.oneOf(item.institutionCode, codes, `${path}.institutionCode`, 'a kindergarten of demo.kindergartens');
      c.integer(item.child, `${path}.child`, { min: 0, max: 1000 });
      c.integer(item.daysAgo, `${path}.daysAgo`, { min: 0, max: 3650 });
    });
  }
}

/** config/health.json: measurement ranges, the window of the health rates, the statuses that count as a certificate checked. */
function checkHealth(c: Checker, health: any, dictionaries: any) {
  if (!c.object(health, 'health')) return;
  c.integer(health.rateWindowDays, 'health.rateWindowDays', { min: 1, max: 3660 });
  c.integer(health.importMaxRows, 'health.importMaxRows', { min: 1, max: 20000 });
  const statuses = codesOf(dictionaries, 'vaccinationStatus');
  if (statuses.length) c.subset(health.checkedStatuses, statuses, 'health.checkedStatuses', 'a status of config/dictionaries.json vaccinationStatus');
  else c.fail('health.checkedStatuses', 'config/dictionaries.json has no vaccinationStatus table');
  const fields = ['heightCm', 'weightKg', 'visionLeft', 'visionRight', 'haemoglobin'];
  if (c.object(health.ranges, 'health.ranges')) {
    for (const field of fields) {
      const path = `health.ranges.${field}`;
      if (!c.object(health.ranges[field], path)) continue;
      const { min, max } = health.ranges[field];
      if (c.number(min, `${path}.min`) && c.number(max, `${path}.max`) && min >= max) c.fail(path, `min ${min} must be below max ${max}`);
    }
  }
}

/** config/growth-standards.json: LMS rows [month, L, M, S], one per month of the declared range, per indicator and sex; flags on an indicator with a cut-off. */
/** A weight-for-length/height table: per sex, rows [cm, L, M, S] rising by 0.5 cm, M > 0, 0 < S < 1. */
function checkLengthTable(c: Checker, table: any, path: string) {
  if (!c.object(table, path)) return;
  for (const sex of ['male', 'female']) {
    const rows = table[sex];
    if (!Array.isArray(rows) || rows.length < 2) {
      c.fail(`${path}.${sex}`, `must be a list of [cm, L, M, S], not ${show(rows)}`);
      continue;
    }
    rows.forEach((row: unknown, i: number) => {
      const at = `${path}.${sex}[${i}]`;
      if (!Array.isArray(row) || row.length !== 4 || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) return c.fail(at, `must be [cm, L, M, S] (four numbers), not ${show(row)}`);
      const [cm, , M, S] = row as number[];
      const before = rows[i - 1];
      if (i > 0 && Array.isArray(before) && Math.abs(cm - before[0] - 0.5) > 1e-9) c.fail(`${at}[0]`, `lengths must rise by 0.5 cm, not from ${before[0]} to ${cm}`);
      if (!(M > 0)) c.fail(`${at}[2]`, `M (the median) must be above 0, not ${M}`);
      if (!(S > 0 && S < 1)) c.fail(`${at}[3]`, `S (the coefficient of variation) must be between 0 and 1, not ${S}`);
    });
  }
}

function checkGrowthStandards(c: Checker, growth: any) {
  if (!c.object(growth, 'growth-standards')) return;
  c.string(growth.source, 'growth-standards.source');
  const months = growth.months;
  if (c.object(months, 'growth-standards.months')) {
    c.integer(months.min, 'growth-standards.months.min', { min: 0, max: 240 });
    c.integer(months.max, 'growth-standards.months.max', { min: 0, max: 240 });
  }
  const indicators = ['bmi', 'wfa'];
  // weight-for-length/height, by cm every 0.5 cm (checkLengthTables)
  if (isObject(growth.tables)) for (const table of ['wfl', 'wfh']) checkLengthTable(c, growth.tables[table], `growth-standards.tables.${table}`);
  if (c.object(growth.tables, 'growth-standards.tables')) {
    for (const indicator of indicators) {
      if (!c.object(growth.tables[indicator], `growth-standards.tables.${indicator}`)) continue;
      for (const sex of ['male', 'female']) {
        const path = `growth-standards.tables.${indicator}.${sex}`;
        const rows = growth.tables[indicator][sex];
        if (!Array.isArray(rows)) {
          c.fail(path, `must be a list of [month, L, M, S], not ${show(rows)}`);
          continue;
        }
        const seen = new Set<number>();
        rows.forEach((row: unknown, i: number) => {
          const at = `${path}[${i}]`;
          if (!Array.isArray(row) || row.length !== 4 || !row.every((v) => typeof v === 'number' && Number.isFinite(v))) {
            c.fail(at, `must be [month, L, M, S] (four numbers), not ${show(row)}`);
            return;
          }
          const [month, , M, S] = row as number[];
          if (!Number.isInteger(month)) c.fail(`${at}[0]`, `the month must be a whole number, not ${month}`);
          if (seen.has(month)) c.fail(`${at}[0]`, `month ${month} appears twice`);
          seen.add(month);
          if (!(M > 0)) c.fail(`${at}[2]`, `M (the median) must be above 0, not ${M}`);
          if (!(S > 0 && S < 1)) c.fail(`${at}[3]`, `S (the coefficient of variation) must be between 0 and 1, not ${S}`);
        });
        if (isObject(months) && Number.isInteger(months.min) && Number.isInteger(months.max)) {
          for (let month = months.min; month <= months.max; month += 1) if (!seen.has(month)) c.fail(path, `has no row for month ${month} (months.min to months.max must all be there)`);
        }
      }
    }
  }
  if (!Array.isArray(growth.flags)) c.fail('growth-standards.flags', `must be a list, not ${show(growth.flags)}`);
  else {
    growth.flags.forEach((flag: any, i: number) => {
      const path = `growth-standards.flags[${i}]`;
      if (!c.object(flag, path)) return;
      c.string(flag.code, `${path}.code`);
      c.string(flag.name, `${path}.name`);
      c.string(flag.nameEn, `${path}.nameEn`);
      // wfh: weight-for-length (under 24 months) or weight-for-height, tables wfl and wfh
      c.oneOf(flag.indicator, [...indicators, 'wfh'], `${path}.indicator`, 'an indicator of growth-standards.tables (bmi, wfa, wfh)');
      if ((flag.below === undefined) === (flag.above === undefined)) c.fail(path, 'needs exactly one of below or above');
      if (flag.below !== undefined) c.number(flag.below, `${path}.below`);
      if (flag.above !== undefined) c.number(flag.above, `${path}.above`);
      c.integer(flag.fromMonth, `${path}.fromMonth`, { min: 0, max: 240, optional: true });
      c.integer(flag.toMonth, `${path}.toMonth`, { min: 0, max: 240, optional: true });
    });
  }
}

/** Every file of config/, each with its validator here (tests/unit/config-schema.test.ts checks that none is missing). */
/* ── 安全管理 and 玩教具与图书 (docs/safety-and-resources.md) ── */
function checkCodedList(c: Checker, list: any, path: string) {
  if (!Array.isArray(list) || !list.length) return c.fail(path, 'must be a non-empty list');
  const seen = new Set<string>();
  list.forEach((entry: any, i: number) => {
    if (!c.object(entry, `${path}[${i}]`)) return;
    if (c.pattern(entry.code, /^[a-z][a-z0-9-]*$/, `${path}[${i}].code`, 'a code (lower-case letters, digits, -)')) {
      if (seen.has(entry.code)) c.fail(`${path}[${i}].code`, `${show(entry.code)} is declared twice`);
      seen.add(entry.code);
    }
    c.string(entry.name, `${path}[${i}].name`);
    c.string(entry.nameEn, `${path}[${i}].nameEn`);
  });
  return true;
}

function checkSafety(c: Checker, safety: any, levels: string[]) {
  if (!c.object(safety, 'safety')) return;
  checkCodedList(c, safety.severities, 'safety.severities');
  const severities = Array.isArray(safety.severities) ? safety.severities.map((s: any) => s?.code) : [];
  const items = new Set<string>();
  if (!Array.isArray(safety.checklist) || !safety.checklist.length) c.fail('safety.checklist', 'must be a non-empty list of sections');
  else safety.checklist.forEach((section: any, i: number) => {
    const path = `safety.checklist[${i}]`;
    if (!c.object(section, path)) return;
    c.pattern(section.key, /^[a-z][a-z0-9-]*$/, `${path}.key`, 'a section key');
    c.string(section.name, `${path}.name`);
    c.string(section.nameEn, `${path}.nameEn`);
    if (!Array.isArray(section.items) || !section.items.length) { c.fail(`${path}.items`, 'must be a non-empty list of items'); return; }
    section.items.forEach((item: any, j: number) => {
      const at = `${path}.items[${j}]`;
      if (!c.object(item, at)) return;
      if (c.pattern(item.key, /^[a-z][a-z0-9-]*$/, `${at}.key`, 'an item key')) {
        if (items.has(item.key)) c.fail(`${at}.key`, `${show(item.key)} is declared twice`);
        items.add(item.key);
      }
      c.string(item.name, `${at}.name`);
      c.string(item.nameEn, `${at}.nameEn`);
      c.oneOf(item.severity, severities, `${at}.severity`, 'a severity of safety.severities');
    });
  });
  if (c.object(safety.inspections, 'safety.inspections')) {
    for (const kind of ['self', 'county']) {
      const at = `safety.inspections.${kind}`;
      if (!c.object(safety.inspections[kind], at)) continue;
      c.string(safety.inspections[kind].name, `${at}.name`);
      c.string(safety.inspections[kind].nameEn, `${at}.nameEn`);
      c.oneOf(safety.inspections[kind].level, levels, `${at}.level`, 'a level');
      c.oneOf(safety.inspections[kind].every, ['month', 'term'], `${at}.every`, 'a frequency');
    }
  }
  const months = new Set<number>();
  if (!Array.isArray(safety.terms) || !safety.terms.length) c.fail('safety.terms', 'must be a non-empty list of terms');
  else safety.terms.forEach((term: any, i: number) => {
    const at = `safety.terms[${i}]`;
    if (!c.object(term, at)) return;
    c.pattern(term.key, /^[0-9a-z]+$/, `${at}.key`, 'a term key');
    c.string(term.name, `${at}.name`);
    c.string(term.nameEn, `${at}.nameEn`);
    if (!Array.isArray(term.months) || !term.months.length) { c.fail(`${at}.months`, 'must be a non-empty list of months'); return; }
    term.months.forEach((month: any, j: number) => {
      if (c.integer(month, `${at}.months[${j}]`, { min: 1, max: 12 })) {
        if (months.has(month)) c.fail(`${at}.months[${j}]`, `month ${month} is in two terms`);
        months.add(month);
      }
    });
  });
  if (Array.isArray(safety.terms) && months.size !== 12) c.fail('safety.terms', 'the terms must cover the twelve months');
  if (c.object(safety.rectificationWorkingDays, 'safety.rectificationWorkingDays')) {
    for (const severity of severities) c.integer(safety.rectificationWorkingDays[severity], `safety.rectificationWorkingDays.${severity}`, { min: 1, max: 250 });
  }
  if (c.object(safety.incidents, 'safety.incidents')) {
    c.integer(safety.incidents.reportWithinHours, 'safety.incidents.reportWithinHours', { min: 1, max: 720 });
    checkCodedList(c, safety.incidents.types, 'safety.incidents.types');
    checkCodedList(c, safety.incidents.severities, 'safety.incidents.severities');
  }
}

function checkResources(c: Checker, resources: any) {
  if (!c.object(resources, 'resources')) return;
  const minimum = (entry: any, at: string) => {
    if (!c.object(entry, at)) return;
    c.string(entry.name, `${at}.name`);
    c.string(entry.nameEn, `${at}.nameEn`);
    c.string(entry.unit, `${at}.unit`);
    if (c.number(entry.perChild, `${at}.perChild`) && entry.perChild < 0) c.fail(`${at}.perChild`, 'must not be negative');
  };
  minimum(resources.books, 'resources.books');
  const keys = new Set<string>();
  if (!Array.isArray(resources.toyCategories) || !resources.toyCategories.length) c.fail('resources.toyCategories', 'must be a non-empty list');
  else resources.toyCategories.forEach((category: any, i: number) => {
    const at = `resources.toyCategories[${i}]`;
    minimum(category, at);
    if (c.pattern(category?.key, /^[a-z][a-z0-9-]*$/, `${at}.key`, 'a category key')) {
      if (keys.has(category.key)) c.fail(`${at}.key`, `${show(category.key)} is declared twice`);
      keys.add(category.key);
    }
  });
  c.subset(resources.countedStatuses, ['draft', 'registered', 'left', 'cancelled', 'graduated'], 'resources.countedStatuses', 'a child status');
}

export const DOMAIN_FILES = [
  'levels', 'roles', 'permission-matrix', 'workflows', 'security', 'security-policy', 'imports', 'lists', 'calendar',
  'student-id', 'classes', 'dictionaries', 'code-tables', 'labels', 'indicators', 'staffing', 'demo', 'guardians',
  'cluster', 'vocabulary', 'field-formats', 'transitions',
  'safety', 'resources', 'health', 'growth-standards',
] as const;

/** Every problem of the domain configuration files (none: an empty list). A file that cannot be read or parsed is one problem. */
export function configProblems(read: Reader = readDomainConfig, known: Known = {}): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const load = (name: string) => {
    try {
      return read(name);
    } catch (error: any) {
      problems.push({ file: `config/${name}`, path: '', message: `cannot be read: ${error?.message ?? error}` });
      return undefined;
    }
  };
  const files = Object.fromEntries(DOMAIN_FILES.map((stem) => [stem, load(`${stem}.json`)]));
  const grades = Array.isArray(files.dictionaries?.classGrade) ? files.dictionaries.classGrade.map((entry: any) => entry?.code).filter(Boolean) : [];
  const levels = levelKeys(files.levels);
  const adminRoles = adminRoleKeys(files.roles);
  const workflowKeys = isObject(files.workflows) ? entries(files.workflows).map(([key]) => key) : [];
  const run = (stem: string, check: (c: Checker, value: any) => void) => {
    if (files[stem] === undefined) return;
    const checker = new Checker(`${stem}.json`);
    check(checker, files[stem]);
    problems.push(...checker.problems);
  };
  run('levels', (c, value) => checkLevels(c, value));
  run('roles', (c, value) => checkRoles(c, value, levels, known));
  run('permission-matrix', (c, value) => checkPermissionMatrix(c, value, levels, adminRoles, known));
  run('workflows', (c, value) => checkWorkflows(c, value, levels, known, files.transitions));
  run('transitions', (c, value) => checkTransitions(c, value, workflowKeys, known));
  run('security', (c, value) => checkSecurity(c, value, levels, adminRoles, known));
  run('imports', (c, value) => checkImports(c, value));
  run('lists', (c, value) => checkLists(c, value, known));
  run('calendar', (c, value) => checkCalendar(c, value, workflowKeys));
  run('student-id', (c, value) => checkStudentId(c, value));
  run('classes', (c, value) => checkClasses(c, value, grades));
  run('guardians', (c, value) => checkGuardians(c, value));
  run('cluster', (c, value) => checkCluster(c, value));
  const tables = isObject(files.dictionaries) ? entries(files.dictionaries).map(([key]) => key) : [];
  run('vocabulary', (c, value) => checkVocabulary(c, value, tables));
  run('field-formats', (c, value) => checkFieldFormats(c, value));
  run('dictionaries', (c, value) => checkDictionaries(c, value));
  run('code-tables', (c, value) => checkCodeTables(c, value, files.dictionaries));
  run('labels', (c, value) => checkLabels(c, value));
  run('indicators', (c, value) => checkIndicators(c, value, files.dictionaries));
  run('staffing', (c, value) => checkStaffing(c, value, files.dictionaries));
  run('security-policy', (c, value) => checkSecurityPolicy(c, value, files.security, adminRoles));
  run('demo', (c, value) => checkDemo(c, value, levels, files.dictionaries));
  run('safety', (c, value) => checkSafety(c, value, levels));
  run('resources', (c, value) => checkResources(c, value));
  run('health', (c, value) => checkHealth(c, value, files.dictionaries));
  run('growth-standards', (c, value) => checkGrowthStandards(c, value));
  return problems;
}

export const formatProblem = (problem: ConfigProblem) => `${problem.file}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;

/** Throws one error listing every problem (each line: file, JSON path, what is wrong). */
export function assertDomainConfig(read: Reader = readDomainConfig, known: Known = {}): void {
  const problems = configProblems(read, known);
  if (problems.length) throw new Error(`Domain configuration is invalid (${problems.length} problem${problems.length > 1 ? 's' : ''}):\n${problems.map(formatProblem).join('\n')}`);
}

/** What the running Strapi app declares: the content-API actions of its routes and its content types. */
export function knownTo(strapi: any): Known {
  let actions: Set<string> | undefined;
  try {
    const keys = strapi.contentAPI?.permissions?.providers?.action?.keys?.();
    if (keys?.length) actions = new Set<string>(keys);
  } catch {
    actions = undefined;
  }
  return { actions, contentTypes: new Set(Object.keys(strapi.contentTypes ?? {})) };
}
