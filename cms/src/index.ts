import type { Core } from '@strapi/strapi';
import { loadRegions } from './bootstrap/regions';
import { regionIndex } from './domain/region-names';
import { applyDatabaseSql } from './bootstrap/database-sql';
import { syncRoles } from './bootstrap/roles';
import { installPermissionCache } from './bootstrap/permission-cache';
import { demoWanted, seedDemo } from './bootstrap/demo';
import { seedStaffDemo } from './bootstrap/demo-staff';
import { seedSafetyDemo } from './bootstrap/demo-safety';
import { seedHealthDemo } from './bootstrap/demo-health';
import { seedDemoChildren } from './bootstrap/demo-children';
import { seedDemoInvitations } from './bootstrap/demo-guardians';
import { seedDemoTasks } from './bootstrap/demo-tasks';
import { kindergartenRulesMiddleware } from './domain/kindergarten-rules';
import { schoolClassRulesMiddleware } from './domain/school-class-rules';
import { subjectLockMiddleware } from './domain/subject-locks';
import { governedFieldsMiddleware } from './domain/governed-fields';
import { childRulesMiddleware } from './domain/child-rules';
import { problemResolutionMiddleware } from './domain/problem-records';
import { lifecycleMiddleware } from './domain/lifecycle';
import { auditMiddleware } from './security/audit-middleware';
import { ensureAuditStore, recordAudit, requestActor, stopAuditMaintenance } from './security/audit';
import { accessScope } from './domain/request-context';
import { ensureRateLimitStore } from './security/rate-limit';
import { setupPiiEncryption } from './security/pii';
import { encryptStoredPayloads } from './api/request/content-types/request/lifecycles';
import { encryptStoredTotpSecrets } from './security/totp';
import { revokeSessionsOnBlock, subscribeSessionInvalidation } from './security/sessions';
import { stopWatchingImports, watchInterruptedImports } from './domain/import/interrupted-jobs';
import { stopWatchingExports, watchStaleExports } from './api/export-job/services/export-job';
import { failWritesOnFailedCommit } from './runtime/commit-failures';
import { subscribeStatisticsInvalidation } from './domain/statistics-cache';
import { staffRulesMiddleware } from './domain/staff-rules';
import { healthRulesMiddleware } from './domain/health-rules';
import { aidRulesMiddleware } from './domain/aid-rules';
import { projectRulesMiddleware } from './domain/project-rules';
import { startOverlay, stopOverlay, subscribeOverlayRefresh } from './domain/config-overlay';
import { customFieldsMiddleware, subscribeDefinitionInvalidation } from './domain/custom-fields';
import { clusterBus } from './runtime/cluster-bus';
import { startJobs, stopJobs } from './bootstrap/jobs';
import { startReadReplica, stopReadReplica } from './runtime/read-replica';
import { listCountMiddleware, subscribeListCountInvalidation } from './domain/list-counts';
import { installAuthFastPath } from './security/auth-fast-path';
import { keysetMiddleware } from './domain/keyset-pages';
import { listColumnsMiddleware } from './domain/list-columns';
import { installReadsWithoutTransaction, readsWithoutTransactionMiddleware } from './runtime/reads-without-transaction';
import { replicaReadsMiddleware } from './runtime/read-replica';
import { bootstrapFirstAdmin, strapiAdminDocumentsMiddleware } from './security/strapi-admin';
import { assertDomainConfig, knownTo } from './runtime/config-schema';
import { registerExchange, startExchange, stopExchange } from './exchange';
import { registerFormatCheck } from './domain/field-formats';
import { installValidationMemo } from './runtime/validation-memo';
import { installBodyParserMemo } from './runtime/body-parser-memo';
import { installLeanCoreMiddlewares } from './runtime/core-middlewares';
import { installRouterMatchMemo } from './runtime/router-match-memo';

export default {
  register({ strapi }: { strapi: Core.Strapi }) {
    failWritesOnFailedCommit();
    // a query shape Strapi's validators accepted is not walked again (cms/src/runtime/validation-memo.ts)
    installValidationMemo();
    // the body parser made once, not per request (cms/src/runtime/body-parser-memo.ts)
    installBodyParserMemo();
    // strapi::security's helmet made once, strapi::logger's line only when logged (cms/src/runtime/core-middlewares.ts)
    installLeanCoreMiddlewares(strapi);
    // the router's match kept per path and method (cms/src/runtime/router-match-memo.ts)
    installRouterMatchMemo();
    // every runAsSystem (plugins/access-scope) leaves an entry naming its reason in the audit trail
    accessScope(strapi).setSystemAuditor(async ({ reason, reasons, user }) => {
      const from = requestActor(strapi);
      await recordAudit(strapi, {
        action: 'system.run', targetType: 'system', targetId: reason.slice(0, 128),
        actor: from.actor ?? { username: 'system' }, onBehalfOf: from.onBehalfOf, ip: from.ip,
        details: { reason, reasons, ...(user ? { forUser: user.id ?? null } : {}) },
      });
    });
    // Strapi's own admin reaches no personal data (cms/src/security/strapi-admin.ts)
    strapi.documents.use(strapiAdminDocumentsMiddleware(strapi) as any);
    strapi.documents.use(subjectLockMiddleware(strapi) as any);
    strapi.documents.use(governedFieldsMiddleware(strapi) as any);
    strapi.documents.use(kindergartenRulesMiddleware(strapi) as any);
    strapi.documents.use(schoolClassRulesMiddleware(strapi) as any);
    strapi.documents.use(childRulesMiddleware(strapi) as any);
    strapi.documents.use(problemResolutionMiddleware(strapi) as any);
    strapi.documents.use(lifecycleMiddleware(strapi) as any);
    strapi.documents.use(auditMiddleware(strapi) as any);
    strapi.documents.use(staffRulesMiddleware(strapi) as any);
    strapi.documents.use(healthRulesMiddleware(strapi) as any);
    strapi.documents.use(aidRulesMiddleware(strapi) as any);
    strapi.documents.use(projectRulesMiddleware(strapi) as any);
    // after the entities' own rules, which fix the record's county (custom fields apply by county)
    strapi.documents.use(customFieldsMiddleware(strapi) as any);
    // innermost: a list's total, bounded on PostgreSQL (after the scope and custom-field filters are added)
    strapi.documents.use(listCountMiddleware(strapi) as any);
    // innermost too: a page that starts where a page served ended reads the rows after it (keyset)
    strapi.documents.use(keysetMiddleware(strapi) as any);
    // a list reads the columns its answer shows, in the order's final form (after the two above)
    strapi.documents.use(listColumnsMiddleware(strapi) as any);
    // last, around the repository's method only: a read runs without BEGIN/COMMIT
    // the children's lists of the levels above the kindergarten on the read replica, when set (cms/src/runtime/read-replica.ts)
    strapi.documents.use(replicaReadsMiddleware(strapi) as any);
    strapi.documents.use(readsWithoutTransactionMiddleware() as any);
    // two-level deployment: history steps that open or close a 学籍 are reported to the nation
    registerExchange(strapi);
  },

  async bootstrap({ strapi }: { strapi: Core.Strapi }) {
    // config/*.json checked first: a mistake stops the start naming file and JSON path
    assertDomainConfig(undefined, knownTo(strapi));
    await applyDatabaseSql(strapi);
    // other instances' writes drop this one's caches within a second (PostgreSQL LISTEN/NOTIFY)
    await clusterBus(strapi).start();
    await ensureAuditStore(strapi);
    await ensureRateLimitStore(strapi);
    await setupPiiEncryption(strapi);
    await encryptStoredPayloads(strapi);
    await encryptStoredTotpSecrets(strapi);
    revokeSessionsOnBlock(strapi);
    const regions = await loadRegions(strapi);
    if (regions.inserted || regions.renamed) {
      strapi.log.info(`行政区划 GB/T 2260: ${regions.inserted} inserted, ${regions.renamed} renamed, ${regions.total} in all`);
    }
    // region names by code in memory (exports and the 确认表 print names; the panel's region picker)
    await regionIndex(strapi);
    // the 身份证号 format of custom fields checks as the student-id plugin checks every ID number
    const identity = strapi.plugin('student-id').service('identity') as any;
    registerFormatCheck('residentId', (value) => Boolean(identity.parseResidentId(value)?.ok));
    // code tables and calendar edited in the panel, merged over config/ (kept fresh every 5 s)
    await startOverlay(strapi);
    await syncRoles(strapi);
    // the first Strapi administrator from ADMIN_BOOTSTRAP_EMAIL/PASSWORD (never from /admin/register-admin)
    await bootstrapFirstAdmin(strapi);
    installPermissionCache(strapi);
    subscribeListCountInvalidation(strapi);
    installAuthFastPath(strapi);
    subscribeStatisticsInvalidation(strapi);
    subscribeDefinitionInvalidation(strapi);
    subscribeSessionInvalidation(strapi);
    subscribeOverlayRefresh(strapi);
    installReadsWithoutTransaction(strapi);
    if (demoWanted()) {
      await seedDemo(strapi);
      // the quick start's children before the staff demo, whose aid grant needs a child
      if (process.env.SEED_DEMO_CHILDREN === 'true') {
        const created = await seedDemoChildren(strapi);
        if (created) strapi.log.info(`demo: ${created} children`);
        const invited = await seedDemoInvitations(strapi);
        if (invited) strapi.log.info(`demo: ${invited} guardian invitations`);
        const tasks = await seedDemoTasks(strapi);
        if (tasks) strapi.log.info(`demo: ${tasks} collection tasks`);
      }
      await seedStaffDemo(strapi);
      await seedSafetyDemo(strapi);
      // 卫生保健: a few checks of the demo children (docs/health.md)
      const checks = await seedHealthDemo(strapi);
      if (checks) strapi.log.info(`demo: ${checks} health checks`);
    }
    // import error reports past their retention are deleted (config/imports.json)
    await (strapi.service('api::child-import.child-import') as any).startReportExpiry();
    // background jobs: pg-boss on PostgreSQL, in process on SQLite (cms/src/runtime/jobs.ts)
    await startJobs(strapi);
    // imports left running by a process that died are queued again or marked failed; this instance's keep a heartbeat
    await watchInterruptedImports(strapi);
    // export runs of dead instances taken over within about a minute (config/imports.json exportJobs)
    await watchStaleExports(strapi);
    // statistics read from DATABASE_REPLICA_URL when set
    await startReadReplica(strapi);
    // the monthly snapshot missed while the server was down, now that the data is in place
    const archive = strapi.plugin('archive-snapshot');
    if (archive.config('catchUpAfterBootstrap')) {
      await archive.service('snapshots').catchUp().catch((error: Error) => strapi.log.error(`archive-snapshot catch-up: ${error.message}`));
    }
    // province or national deployment: the outbox relay and the consumer of the other level's events
    await startExchange(strapi);
  },

  async destroy({ strapi }: { strapi: Core.Strapi }) {
    await stopExchange();
    await stopJobs(strapi);
    await stopReadReplica();
    await stopWatchingImports();
    await stopWatchingExports();
    await stopOverlay();
    await clusterBus(strapi).stop();
    stopAuditMaintenance();
    (strapi.service('api::child-import.child-import') as any)?.stopReportExpiry();
  },
};
