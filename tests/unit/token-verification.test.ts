/**
 * A session's token is verified once and remembered (cms/src/security/sessions.ts verifyToken): a
 * remembered token must still be refused once expired, and a forged, altered or foreign-secret token
 * is refused whatever was verified before.
 */
import jwt from 'jsonwebtoken';
import { verifyToken } from '../../cms/src/security/sessions';

const SECRET = 'unit-test-secret-of-enough-length';

afterEach(() => jest.useRealTimers());

test('a good token: the same payload each time, a copy the caller may change', () => {
  const token = jwt.sign({ id: 7, sid: 70 }, SECRET, { expiresIn: '15m' });
  const first = verifyToken(token, SECRET);
  expect(first).toMatchObject({ id: 7, sid: 70 });
  first.id = 8;
  expect(verifyToken(token, SECRET)).toMatchObject({ id: 7, sid: 70 });
});

test('a remembered token expires when its exp second comes, as jsonwebtoken decides', () => {
  jest.useFakeTimers({ now: new Date('2026-12-06T10:00:00Z') });
  const token = jwt.sign({ id: 1, sid: 2 }, SECRET, { expiresIn: 60 });
  expect(verifyToken(token, SECRET)).toMatchObject({ id: 1 });
  jest.setSystemTime(new Date('2026-12-06T10:00:59.900Z'));
  expect(verifyToken(token, SECRET)).toMatchObject({ id: 1 });
  jest.setSystemTime(new Date('2026-12-06T10:01:00Z'));
  expect(() => verifyToken(token, SECRET)).toThrow(jwt.TokenExpiredError);
  // and stays refused (not remembered as good again)
  expect(() => verifyToken(token, SECRET)).toThrow(jwt.TokenExpiredError);
});

test('forged, altered, foreign-secret and other-algorithm tokens are refused even next to a remembered one', () => {
  const token = jwt.sign({ id: 3, sid: 30 }, SECRET, { expiresIn: '15m' });
  expect(verifyToken(token, SECRET)).toMatchObject({ id: 3 });
  const [header, , signature] = token.split('.');
  const altered = `${header}.${Buffer.from(JSON.stringify({ id: 1, sid: 30, exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
  expect(() => verifyToken(altered, SECRET)).toThrow(jwt.JsonWebTokenError);
  // the remembered token itself, checked against another secret or algorithm, is verified again (and fails)
  expect(() => verifyToken(token, 'another-secret-of-enough-length')).toThrow(jwt.JsonWebTokenError);
  expect(() => verifyToken(token, SECRET, 'HS512')).toThrow(jwt.JsonWebTokenError);
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ id: 3, sid: 30 })).toString('base64url')}.`;
  expect(() => verifyToken(unsigned, SECRET)).toThrow(jwt.JsonWebTokenError);
});
