/**
 * express-session, cookie-signature, cookie-parser and keygrip against the reference vectors
 * (express 4.22, express-session 1.19, cookie-signature 1.0.7/1.2.2, cookie-parser 1.4.7, keygrip 1.1),
 * through the core and through the CLI.
 */
import { describe, expect, it } from 'vitest';
import {
  analyzeCookie,
  cookieSignatureSign,
  keygripSign,
  nodeCookieValue,
  parseSetCookie,
  requestCookiesOf,
  writePythonJson,
  type CookieAnalysis,
} from '../../src/core';
import { keygripIndex } from '../../src/core/codec/node-cookies';
import { main } from '../../src/cli/session-lens';
import { loadVectorFile } from '../support/vectors';

interface SignatureVector {
  id: string;
  framework: 'cookie-signature';
  value: string;
  secret: string;
  signed: string;
  expected: { unsign: string; unsign_wrong_secret: false; unsign_padding_appended: false; express_session_cookie_value: string; cookie_header_form: string };
}
interface ExpressSessionVector {
  id: string;
  framework: 'express-session';
  config: { secret: string };
  steps: { step: string; response: { set_cookie: string[] } }[];
}
interface CookieParserVector {
  id: string;
  framework: 'cookie-parser';
  config: { secret: string };
  read_request_cookie: string;
  tampered_request_cookie: string;
  read_response: { body: string };
  tampered_read_response: { body: string };
}
interface KeygripVector {
  id: string;
  framework: 'keygrip';
  keys: string[];
  data: string;
  signature: string;
  sha256_signature: string;
}

const vectors = loadVectorFile<{ vectors: { framework: string }[] }>('node_cookies.json').vectors;
const of = <T>(framework: string) => vectors.filter((v) => v.framework === framework) as T[];
const signatures = of<SignatureVector>('cookie-signature');
const sessions = of<ExpressSessionVector>('express-session');
const parsers = of<CookieParserVector>('cookie-parser');
const keygrips = of<KeygripVector>('keygrip');

function cli(...argv: string[]): { status: number; stdout: string } {
  let stdout = '';
  const status = main({ argv, env: {}, readStdin: () => new Uint8Array(), stdout: (t) => (stdout += t), stderr: () => undefined, color: false });
  return { status, stdout };
}

const verdictOf = (a: CookieAnalysis) => (a.format === 'unknown' ? 'unknown' : a.verification.verdict);

it('has vectors of every Node library', () => {
  expect(signatures.length).toBeGreaterThanOrEqual(4);
  expect(sessions.length).toBeGreaterThanOrEqual(1);
  expect(parsers.length).toBeGreaterThanOrEqual(1);
  expect(keygrips.length).toBeGreaterThanOrEqual(2);
});

describe.each(signatures.map((v) => [v.id, v] as const))('%s', (_id, v) => {
  it('signs as cookie-signature does, and the wire form decodes to express-session’s value', () => {
    expect(cookieSignatureSign(v.value, { text: v.secret })).toBe(v.signed);
    expect(nodeCookieValue(v.expected.cookie_header_form)).toBe(v.expected.express_session_cookie_value);
  });

  it('verifies in both forms with the secret only; an appended "=" fails as it does in the library', () => {
    for (const form of [v.expected.cookie_header_form, v.expected.express_session_cookie_value]) {
      const verify = (secret: string, value = form) => analyzeCookie('connect.sid', value, { secrets: [{ text: secret }], format: 'express-session' });
      const right = verify(v.secret);
      expect(verdictOf(right)).toBe('valid');
      if (right.format === 'express-session') expect(right.verification.decoded.signed?.value).toBe(v.expected.unsign);
      expect(verdictOf(verify(`${v.secret}!`))).toBe('bad_signature');
      expect(verdictOf(verify(v.secret, `${v.expected.express_session_cookie_value}=`))).not.toBe('valid');
    }
  });

  it('through the CLI: decode --json gives the id, verify exits 0 with the secret and 1 without it', () => {
    const decoded = cli('decode', '--json', '--format', 'express-session', '--', v.expected.cookie_header_form);
    expect(decoded.status).toBe(0);
    expect(JSON.parse(decoded.stdout).payload).toBe(v.expected.unsign);
    expect(cli('verify', '--format', 'express-session', '--secret', v.secret, '--', v.expected.cookie_header_form).status).toBe(0);
    expect(cli('verify', '--format', 'express-session', '--secret', 'wrong', '--', v.expected.cookie_header_form).status).toBe(1);
  });
});

describe.each(sessions.map((v) => [v.id, v] as const))('%s', (_id, v) => {
  const setCookie = parseSetCookie(v.steps[0]!.response.set_cookie[0]!)!;

  it('is detected as express-session and verified with the app’s secret, first or later in the list', () => {
    const verify = (...secrets: string[]) => analyzeCookie(setCookie.name, setCookie.value, { secrets: secrets.map((text) => ({ text })) });
    const right = verify(v.config.secret);
    expect(right.format).toBe('express-session');
    expect(verdictOf(right)).toBe('valid');
    const rotated = verify('newer secret', v.config.secret);
    expect(verdictOf(rotated)).toBe('valid');
    expect(rotated.format !== 'unknown' && rotated.verification.matchedSecretIndex).toBe(1);
    expect(verdictOf(verify('another'))).toBe('bad_signature');
  });

  it('through the CLI from the Set-Cookie line: the JSON keeps the contract’s fields', () => {
    // The capture's Expires has passed: read the line at the time it was sent, or it is a deletion.
    const sentAt = String(Math.floor(setCookie.expires! / 1000) - 3600);
    const out = cli('verify', '--json', '--now', sentAt, '--secret', v.config.secret, `Set-Cookie: ${v.steps[0]!.response.set_cookie[0]!}`);
    expect(out.status).toBe(0);
    const json = JSON.parse(out.stdout);
    expect(json).toMatchObject({ format: 'express-session', signature: 'valid', verdict: 'valid', matched_secret_index: 0, timestamp: null });
    expect(json.payload).toBe(nodeCookieValue(setCookie.value).slice(2, nodeCookieValue(setCookie.value).lastIndexOf('.')));
  });
});

describe.each(parsers.map((v) => [v.id, v] as const))('%s', (_id, v) => {
  const expected = JSON.parse(v.read_response.body) as { signedCookies: Record<string, unknown> };
  const tampered = JSON.parse(v.tampered_read_response.body) as { signedCookies: Record<string, unknown> };
  const secrets = [{ text: v.config.secret }];

  it('reads every signed cookie to what req.signedCookies held, and a tampered one as the library’s false', () => {
    for (const [header, want] of [
      [v.read_request_cookie, expected.signedCookies],
      [v.tampered_request_cookie, tampered.signedCookies],
    ] as const) {
      const cookies = requestCookiesOf([{ name: 'Cookie', value: header }]);
      for (const [name, value] of Object.entries(want)) {
        const cookie = cookies.find((c) => c.name === name)!;
        const analysis = analyzeCookie(name, cookie.value, { secrets });
        expect(analysis.format).toBe('cookie-parser');
        if (analysis.format !== 'cookie-parser') continue;
        if (value === false) {
          expect(analysis.verification.verdict).toBe('bad_signature');
        } else {
          expect(analysis.verification.verdict).toBe('valid');
          expect(JSON.parse(writePythonJson(analysis.verification.decoded.value!, { sortKeys: false, ensureAscii: false }))).toEqual(value);
        }
      }
    }
  });

  it('does not take the unsigned j: cookie for a signed one', () => {
    const cookies = requestCookiesOf([{ name: 'Cookie', value: v.read_request_cookie }]);
    const unsigned = cookies.find((c) => !nodeCookieValue(c.value).startsWith('s:'))!;
    expect(analyzeCookie(unsigned.name, unsigned.value).format).not.toBe('cookie-parser');
  });
});

describe.each(keygrips.map((v) => [v.id, v] as const))('%s', (_id, v) => {
  it('signs with keys[0] as keygrip does (SHA-1 and SHA-256), and every key verifies', () => {
    const keys = v.keys.map((text) => ({ text }));
    expect(keygripSign(v.data, keys[0]!)).toBe(v.signature);
    expect(keygripSign(v.data, keys[0]!, 'sha256')).toBe(v.sha256_signature);
    expect(keygripIndex(v.data, v.signature, keys)).toBe(0);
    expect(keygripIndex(v.data, v.signature, [{ text: 'other' }, ...keys])).toBe(1);
    expect(keygripIndex(v.data, `${v.signature}=`, keys)).toBe(-1);
  });
});
