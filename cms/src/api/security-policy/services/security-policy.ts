import type { Core } from '@strapi/strapi';
import { loadOverlay, securityPolicyOverlay, SECURITY_POLICY } from '../../../domain/config-overlay';
import { defaultSecurityConfig, securityConfig } from '../../../security/config';
import { applyPolicyEdits, checkPolicyInput, policyChoices, policyFields, policyValues, type PolicyEdits } from '../../../security/policy';
import { recordAudit } from '../../../security/audit';
import { fieldsError } from '../../../utils/validation';

type Actor = { id?: number; username?: string };

/**
 * 安全策略 (三员): config/security.json is the default; the security administrator's edits
 * are one row (`security-policy`, scope 'deployment'), merged by securityConfig() through the
 * config overlay, so the lockout, password rules, sessions, rate limit and second factor follow at
 * once on this instance and within 5 s on the others. Each change is audited with before/after.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async view() {
    const row = await strapi.db.query(SECURITY_POLICY as any).findOne({ where: { scope: 'deployment' } });
    const edits = (securityPolicyOverlay() ?? {}) as PolicyEdits;
    return {
      policy: policyValues(securityConfig()),
      defaults: policyValues(defaultSecurityConfig()),
      changed: Object.keys(edits),
      fields: policyFields(),
      choices: policyChoices(),
      fixed: { auditRetentionDays: securityConfig().audit.retentionDays },
      changedBy: row && Object.keys(row.settings ?? {}).length ? row.changedBy ?? null : null,
      changedAt: row && Object.keys(row.settings ?? {}).length ? row.updatedAt ?? null : null,
    };
  },

  async change(actor: Actor, input: Record<string, any> = {}) {
    if (!input || typeof input !== 'object' || Array.isArray(input)) throw fieldsError([{ field: 'data', message: '请提交要修改的安全策略' }]);
    await loadOverlay(strapi);
    const current = (securityPolicyOverlay() ?? {}) as PolicyEdits;
    const { edits, problems } = checkPolicyInput(input, current, defaultSecurityConfig());
    if (problems.length) throw fieldsError(problems);
    const before = policyValues(securityConfig());
    await strapi.db.transaction(async () => {
      const row = await strapi.db.query(SECURITY_POLICY as any).findOne({ where: { scope: 'deployment' } });
      const data = { settings: edits, changedBy: actor?.username ?? null };
      if (row) await strapi.db.query(SECURITY_POLICY as any).update({ where: { id: row.id }, data });
      else await strapi.db.query(SECURITY_POLICY as any).create({ data: { scope: 'deployment', ...data } });
      const after = policyValues(applyPolicyEdits(defaultSecurityConfig(), edits));
      const keys = Object.keys(after).filter((key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]));
      await recordAudit(strapi, {
        action: 'policy.change', targetType: SECURITY_POLICY, targetId: 'deployment',
        details: { before: pick(before, keys), after: pick(after, keys), restoreDefaults: input.restoreDefaults === true || undefined },
      });
    });
    await loadOverlay(strapi);
    return this.view();
  },
});

function pick(values: PolicyEdits, keys: string[]) {
  return Object.fromEntries(keys.map((key) => [key, values[key]]));
}
