import { securityConfig } from './config';

/** How many of the four kinds of characters (lower, upper, digits, symbols) a password uses. */
export function characterKinds(password: string): number {
  return [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/].filter((kind) => kind.test(password)).length;
}

/** The reason `password` breaks the rules of config/security.json, in Chinese; null when it is fine. */
export function passwordProblem(password: unknown, username?: string): string | null {
  const rules = securityConfig().password;
  if (typeof password !== 'string' || !password) return '新密码必填';
  if (password.length < rules.minLength) return `密码至少 ${rules.minLength} 位`;
  if (password.length > 72) return '密码不超过 72 位';
  if (characterKinds(password) < rules.minKinds) return `密码须包含大写字母、小写字母、数字、符号中的至少 ${rules.minKinds} 类`;
  if (username && password.toLowerCase().includes(username.toLowerCase())) return '密码不能包含用户名';
  return null;
}

/** Whether a password last changed at `changedAt` has expired (config maxAgeDays). */
export function passwordExpired(changedAt: string | Date | null | undefined, now = new Date()): boolean {
  if (!changedAt) return true;
  const ageDays = (now.getTime() - new Date(changedAt).getTime()) / 86_400_000;
  return ageDays > securityConfig().password.maxAgeDays;
}
