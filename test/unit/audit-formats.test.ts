/**
 * The weak-secret search beyond Flask: Django, JWT, express-session, cookie-parser and
 * cookie-session cookies signed with a built-in or a wordlist secret are found (with the kernel,
 * SIMD off and on), a strong secret is not, and each says what it cannot search (Rails' PBKDF2,
 * a cookie-session without its .sig, a JWT without a shared secret).
 */
import { describe, expect, it } from 'vitest';
import {
  AUDIT_FORMATS,
  auditCookie,
  cookieSessionSignature,
  parsePythonJson,
  signCookieParserValue,
  signCookieSession,
  signDjangoCookie,
  signExpressSessionId,
  signJwt,
  type AuditFormat,
  type AuditSignerOptions,
  type Result,
} from '../../src/core';
import { main } from '../../src/cli/session-lens';

const STRONG = 'f1c0b8a3e2d94c57a9e1b6d8c3f2a7e4-not-in-any-list';
const payload = parsePythonJson('{"user": "ada", "role": "admin"}');
const ok = (r: Result<string>) => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** One cookie of each format signed with `secret`, with what the audit needs besides the value. */
function signed(format: Exclude<AuditFormat, 'flask' | 'flask-session'>, secret: string): { cookie: string; options: AuditSignerOptions } {
  const key = { secret: { text: secret } };
  switch (format) {
    case 'django':
      return { cookie: ok(signDjangoCookie(payload, { ...key, timestamp: 1_700_000_000 })), options: { format } };
    case 'jwt':
      return { cookie: ok(signJwt(payload, key)), options: { format } };
    case 'express-session':
      return { cookie: ok(signExpressSessionId('r0o_tHxsEHHzJU_PZWkhJLtCiTktm_Dm', key)), options: { format } };
    case 'cookie-parser':
      return { cookie: ok(signCookieParserValue(payload, key)), options: { format } };
    case 'cookie-session': {
      const cookie = ok(signCookieSession(payload, key));
      return { cookie, options: { format, cookieName: 'session', signatureCookie: cookieSessionSignature('session', cookie, { text: secret }) } };
    }
  }
}

const OTHERS = AUDIT_FORMATS.filter((f): f is Exclude<AuditFormat, 'flask' | 'flask-session'> => f !== 'flask' && f !== 'flask-session');

describe.each(OTHERS.map((f) => [f] as const))('%s', (format) => {
  it('finds a built-in secret, and one from a wordlist at its place, with and without SIMD', () => {
    for (const simd of [false, true]) {
      const builtIn = signed(format, 'keyboard cat');
      const found = auditCookie(builtIn.cookie, [], { ...builtIn.options, simd });
      expect(found).toMatchObject({ format, found: true, secret: 'keyboard cat', source: 'built-in', reason: null });
      const listed = signed(format, 'correct horse battery staple 42');
      const words = ['a', 'b', 'correct horse battery staple 42', 'c'];
      const hit = auditCookie(listed.cookie, words, { ...listed.options, simd, builtIn: false });
      expect(hit).toMatchObject({ found: true, source: 'candidates', candidateIndex: 2, candidatesTried: 3 });
    }
  });

  it('finds nothing for a strong secret, and tries every candidate', () => {
    const strong = signed(format, STRONG);
    const verdict = auditCookie(strong.cookie, ['x', 'y'], strong.options);
    expect(verdict.found).toBe(false);
    expect(verdict.reason).toBeNull();
    expect(verdict.candidatesTried).toBeGreaterThan(400);
  });
});

describe('what cannot be searched says why', () => {
  it('a cookie-session without its .sig, a JWT with alg none, a cookie of the wrong shape', () => {
    const session = signed('cookie-session', 'keyboard cat');
    expect(auditCookie(session.cookie, [], { ...session.options, signatureCookie: null }).reason?.code).toBe('ERR_SIGNATURE_MISSING');
    const none = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.';
    expect(auditCookie(none, [], { format: 'jwt' }).reason?.message).toMatch(/alg "none" has no shared secret/);
    expect(auditCookie('plain', [], { format: 'express-session' }).reason?.code).toBe('ERR_COOKIE_STRUCTURE');
  });

  it('through the CLI: exit 3 and the framework’s own setting on a hit; Rails is refused with the reason', () => {
    let stdout = '';
    let stderr = '';
    const run = (...argv: string[]) => {
      stdout = '';
      stderr = '';
      return main({ argv, env: {}, readStdin: () => new Uint8Array(), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false });
    };
    const express = signed('express-session', 'keyboard cat');
    expect(run('audit', '--', express.cookie)).toBe(3);
    expect(stdout).toContain("Secret found: 'keyboard cat' (built-in list) — this app's secret is public: rotate it (keep the old one in the secret array, after the new one for a smooth rotation)");
    const session = signed('cookie-session', 'keyboard cat');
    expect(run('audit', '--json', `session=${session.cookie}; session.sig=${session.options.signatureCookie}`)).toBe(3);
    expect(JSON.parse(stdout)).toMatchObject({ format: 'cookie-session', found: true, secret: 'keyboard cat' });
    expect(run('audit', '--sig', session.options.signatureCookie!, '--', session.cookie)).toBe(3);
    expect(run('audit', '--format', 'rails', 'x--y--z')).toBe(2);
    expect(stderr).toMatch(/secret_key_base by PBKDF2/);
  });
});
