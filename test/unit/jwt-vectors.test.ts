/** The JWT format against the reference vectors (jsonwebtoken 9.0.3 tokens, cross-checked by PyJWT 2.6.0). */
import { describe, expect, it } from 'vitest';
import { analyzeCookie, decodeJwt, parsePythonJson, signJwt, verifyJwtDecoded, writePythonJson } from '../../src/core';
import { loadVectorFile } from '../support/vectors';

interface NodeVector {
  id: string;
  framework: string;
  secret: string;
  token: string;
  header_json: string;
  payload_json: string;
  results: { verify: { valid: boolean; payload?: unknown }; 'verify-wrong-secret': { valid: boolean } };
}
interface PyJwtFile {
  verify_node_tokens: { id: string; token: string; pyjwt: Record<'correct-secret' | 'wrong-secret', { valid: boolean; payload?: unknown }> }[];
  pyjwt_tokens: { payload_in: unknown; token: string; header_json: string; payload_json: string }[];
}

const node = loadVectorFile<{ vectors: NodeVector[] }>('node_cookies.json').vectors.filter((v) => v.framework.startsWith('jwt'));
const pyjwt = loadVectorFile<PyJwtFile>('jwt_pyjwt.json');
const SECRET = node[0]!.secret;
/** Before every exp in the vectors: the signature is what is checked here. */
const NOW = 1_700_000_100;

it('has JWT vectors', () => {
  expect(node.length).toBeGreaterThanOrEqual(3);
  expect(pyjwt.verify_node_tokens.length).toBeGreaterThanOrEqual(5);
});

// Every jsonwebtoken token PyJWT checked (alg none and no-iat included), with the vectors' secret.
describe.each(pyjwt.verify_node_tokens.map((v) => [v.id, v] as const))('%s, as PyJWT verifies it', (_id, v) => {
  it('valid with the secret exactly when PyJWT says so, never with another', () => {
    const verification = (secret: string) => verifyJwtDecoded(decodeJwt(v.token), { secrets: [{ text: secret }], now: NOW });
    const right = verification(SECRET);
    expect(right.verdict === 'valid').toBe(v.pyjwt['correct-secret'].valid);
    expect(verification('another-secret').verdict === 'valid').toBe(v.pyjwt['wrong-secret'].valid);
    if (v.pyjwt['correct-secret'].valid) {
      expect(JSON.parse(writePythonJson(right.decoded.payload!, { sortKeys: false, ensureAscii: false }))).toEqual(v.pyjwt['correct-secret'].payload);
    }
  });
});

describe.each(node.map((v) => [v.id, v] as const))('%s', (_id, v) => {
  const verdict = (secret: string) => {
    const a = analyzeCookie('token', v.token, { secrets: [{ text: secret }], now: NOW });
    return a.format === 'jwt' ? a.verification : null;
  };

  it('is detected and verified as jsonwebtoken verifies it', () => {
    const right = verdict(v.secret)!;
    expect(right.verdict === 'valid').toBe(v.results.verify.valid);
    expect(verdict('another-secret')!.verdict === 'valid').toBe(v.results['verify-wrong-secret'].valid);
    if (v.results.verify.valid) {
      expect(JSON.parse(writePythonJson(right.decoded.payload!, { sortKeys: false, ensureAscii: false }))).toEqual(v.results.verify.payload);
    }
  });

  it('decodes header and payload without a secret, as written', () => {
    const d = decodeJwt(v.token);
    expect(writePythonJson(d.header!, { sortKeys: false, ensureAscii: false })).toBe(v.header_json);
    expect(writePythonJson(d.payload!, { sortKeys: false, ensureAscii: false })).toBe(v.payload_json);
  });

  it('signs the same token from the same payload (HS256, key order kept)', () => {
    if (JSON.parse(v.header_json).alg !== 'HS256') return;
    expect(signJwt(parsePythonJson(v.payload_json), { secret: { text: v.secret } })).toEqual({ ok: true, value: v.token });
  });
});

it('PyJWT-made tokens are byte-identical to ours', () => {
  for (const t of pyjwt.pyjwt_tokens) {
    expect(signJwt(parsePythonJson(t.payload_json), { secret: { text: SECRET } })).toEqual({ ok: true, value: t.token });
  }
});

describe('claims and algorithms', () => {
  const sign = (claims: string, alg: 'HS256' | 'HS384' | 'HS512' = 'HS256') => {
    const s = signJwt(parsePythonJson(claims), { secret: { text: SECRET }, algorithm: alg });
    if (!s.ok) throw new Error(s.error.message);
    return s.value;
  };
  const check = (token: string, now: number, maxAge?: number) => verifyJwtDecoded(decodeJwt(token), { secrets: [{ text: SECRET }], now, maxAge });

  it('now ≥ exp is expired, nbf > now is not yet valid, maxAge counts from iat', () => {
    const token = sign('{"iat":1000,"nbf":1000,"exp":2000}');
    expect(check(token, 1999).verdict).toBe('valid');
    expect(check(token, 2000).verdict).toBe('expired');
    expect(check(token, 999).verdict).toBe('future_timestamp');
    expect(check(token, 1500, 400).verdict).toBe('expired');
    expect(check(token, 1300, 400).verdict).toBe('valid');
  });

  it('a non-numeric exp is invalid; a future iat is accepted with a note (jsonwebtoken)', () => {
    expect(check(sign('{"exp":"2000"}'), 1).verdict).toBe('bad_payload');
    const future = check(sign('{"iat":5000}'), 1000);
    expect(future.verdict).toBe('valid');
    expect(future.notes.join(' ')).toContain('PyJWT rejects');
  });

  it('HS384 and HS512 verify; the signature must match the header alg', () => {
    for (const alg of ['HS384', 'HS512'] as const) expect(check(sign('{"a":1}', alg), 1).verdict).toBe('valid');
    const [, payload, signature] = sign('{"a":1}', 'HS512').split('.');
    const relabelled = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${payload}.${signature}`;
    expect(check(relabelled, 1).verdict).toBe('bad_signature');
  });

  it('alg none in any casing is never verified; asymmetric algorithms are reported, not verified', () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const token = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from('{"sub":"1"}').toString('base64url')}.`;
      expect(check(token, 1)).toMatchObject({ verdict: 'bad_signature', reason: { code: 'ERR_JWT_ALG_NONE' } });
      expect(verifyJwtDecoded(decodeJwt(token), { secrets: [] }).verdict).toBe('unverified');
    }
    const rs = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1"}').toString('base64url')}.c2ln`;
    expect(check(rs, 1)).toMatchObject({ verdict: 'unverified', reason: { code: 'ERR_JWT_ALG_UNSUPPORTED' } });
  });

  it('a signature with a trailing "=" or changed unused bits is invalid (jsonwebtoken; PyJWT 2.6 accepts both)', () => {
    const token = sign('{"a":1}');
    expect(check(`${token}=`, 1).verdict).toBe('bad_signature');
    const last = token.at(-1)!;
    const flipped = token.slice(0, -1) + String.fromCharCode(last.charCodeAt(0) ^ 1);
    expect(check(flipped, 1).verdict).toBe('bad_signature');
  });

  it('is total on junk', () => {
    for (const junk of ['', 'a.b', 'a.b.c.d', 'eyJ.eyJ.', `eyJ${'A'.repeat(70_000)}.x.y`, '..', 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.x']) {
      expect(() => verifyJwtDecoded(decodeJwt(junk), { secrets: [{ text: SECRET }] })).not.toThrow();
      expect(verifyJwtDecoded(decodeJwt(junk), { secrets: [{ text: SECRET }] }).verdict).toBe('malformed');
    }
  });
});
