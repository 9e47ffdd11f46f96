/**
 * The one masking rule of the system lives in the student-id plugin
 * (plugins/student-id/server/src/identity: maskIdNumber, maskStudentNumber, maskIdentifier). Code
 * that runs without a `strapi` at hand (the audit trail's masking, the log format) reaches it
 * through the running Strapi; before the plugin is loaded nothing is shown (never a weaker rule).
 */
export function maskIdentifier(value: string): string {
  const identity = (globalThis as any).strapi?.plugin?.('student-id')?.service?.('identity');
  if (typeof identity?.maskIdentifier === 'function') return identity.maskIdentifier(value);
  return '*'.repeat(String(value ?? '').length);
}
