import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { readDomainConfig } from '../runtime/paths';
import { loadSecrets } from '../runtime/secrets';
import { tokenKey } from '../security/sessions';

/**
 * Guardians confirm the 学籍基础信息确认表 online (docs/guardians.md): the rules that are not the
 * invitation service's bookkeeping — config/guardians.json, the invitation code (made, normalised,
 * looked up by a keyed hash), and the guardian's session token, a token type of its own.
 */
export type GuardiansConfig = {
  invitation: { validDays: number; codeLength: number; maxFailures: number; lockMinutes: number };
  fact: { digits: number };
  session: { minutes: number };
  shown: string[];
  proof: string;
};

let cached: GuardiansConfig | undefined;
export function guardiansConfig(): GuardiansConfig {
  cached ??= readDomainConfig<GuardiansConfig>('guardians.json');
  return cached;
}

/** Letters and digits a guardian cannot misread (no 0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A new random code of config invitation.codeLength characters (about 5 bits each). */
export function newCode(): string {
  const length = guardiansConfig().invitation.codeLength;
  let code = '';
  while (code.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      // rejection sampling: no character is likelier than another
      if (byte < 256 - (256 % ALPHABET.length) && code.length < length) code += ALPHABET[byte % ALPHABET.length];
    }
  }
  return code;
}

/** The code as typed (full-width characters, lower case, spaces and dashes) in its one spelling. */
export function normaliseCode(typed: unknown): string {
  return String(typed ?? '')
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s\-_]/g, '')
    .toUpperCase();
}

/** The code as printed: two groups of four. */
export function printedCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}

/** The keyed hash a code is looked up by (the code itself is stored only sealed). */
export function codeKey(code: string): string {
  return crypto.createHmac('sha256', loadSecrets().PII_HASH_KEY).update(`guardian-invitation:${normaliseCode(code)}`).digest('hex');
}

/** The last digits of a phone number, as the kindergarten holds it. */
export function phoneTail(phone: unknown): string | null {
  const digits = String(phone ?? '').replace(/\D/g, '');
  const n = guardiansConfig().fact.digits;
  return digits.length >= n ? digits.slice(-n) : null;
}

/** A guardian's session: which invitations it redeemed, and as which guardian of each child (index). */
export type GuardianGrant = { invitation: string; guardian: number };
export type GuardianToken = { typ: 'guardian'; grants: GuardianGrant[]; exp?: number };

/**
 * The key of guardian tokens: derived from JWT_SECRET for this purpose only, so a guardian token is
 * never a staff token — users-permissions and the session check cannot verify it (401 on every staff
 * route), and a staff token is not a guardian token.
 */
function guardianKey() {
  return tokenKey(crypto.createHmac('sha256', loadSecrets().JWT_SECRET).update('guardian-session').digest('base64'));
}

export function issueGuardianToken(grants: GuardianGrant[]): { token: string; expiresIn: number } {
  const minutes = guardiansConfig().session.minutes;
  const token = jwt.sign({ typ: 'guardian', grants }, guardianKey(), { expiresIn: `${minutes}m`, audience: 'guardian' });
  return { token, expiresIn: minutes * 60 };
}

export function readGuardianToken(token: string | null | undefined): GuardianToken | null {
  if (!token) return null;
  try {
    const payload = jwt.verify(token, guardianKey(), { algorithms: ['HS256'], audience: 'guardian' }) as any;
    if (payload?.typ !== 'guardian' || !Array.isArray(payload.grants)) return null;
    const grants = payload.grants.filter((g: any) => typeof g?.invitation === 'string' && Number.isInteger(g?.guardian));
    return { typ: 'guardian', grants, exp: payload.exp };
  } catch {
    return null;
  }
}
