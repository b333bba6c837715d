/**
 * The CLI contract of issue 10, for every format: `decode`, `verify` and `sign` take --format F,
 * `--json` has format, signature, verdict, matched_secret_index, payload and timestamp, and the
 * payload is readable without a secret wherever the format allows it.
 */
import { describe, expect, it } from 'vitest';
import { FORMATS, type KnownFormatId } from '../../src/core';
import { main } from '../../src/cli/session-lens';

function cli(...argv: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = main({ argv, env: {}, readStdin: () => new Uint8Array(), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false });
  return { status, stdout, stderr };
}

const SECRET = 'cli-contract-secret';
/** What `sign --format F` is given, and the cookie name where the format signs or checks it. */
const SIGN: Record<KnownFormatId, { payload: string; name?: string; readable: boolean }> = {
  flask: { payload: '{"user": "ada"}', readable: true },
  'flask-session': { payload: '"b1946ac9-2492-4d0f-a1c5-58c3f0e9a7d2"', readable: false },
  django: { payload: '{"user": "ada"}', readable: true },
  'express-session': { payload: '"r0o_tHxsEHHzJU_PZWkhJLtCiTktm_Dm"', readable: true },
  'cookie-parser': { payload: '{"user": "ada"}', name: 'prefs', readable: true },
  'cookie-session': { payload: '{"user": "ada"}', name: 'session', readable: true },
  rails: { payload: '{"user": "ada"}', name: '_app_session', readable: false },
  jwt: { payload: '{"user": "ada"}', readable: true },
};

describe.each(FORMATS.map((f) => [f.id] as const))('%s', (format) => {
  it('signs, decodes and verifies with --format, with the contract’s JSON fields', () => {
    const { payload, name, readable } = SIGN[format];
    const naming = name ? ['--cookie-name', name] : [];
    const signed = cli('sign', '--json', '--format', format, '--secret', SECRET, '--payload', payload, ...naming);
    expect(signed.status, signed.stderr).toBe(0);
    const out = JSON.parse(signed.stdout) as { cookie: string; sig?: string };
    const sig = out.sig ? ['--sig', out.sig] : [];
    const decoded = JSON.parse(cli('decode', '--json', '--format', format, ...naming, ...sig, '--', out.cookie).stdout);
    for (const field of ['format', 'signature', 'verdict', 'matched_secret_index', 'payload', 'timestamp']) expect(decoded).toHaveProperty(field);
    expect(decoded).toMatchObject({ format, signature: 'not_checked', verdict: 'unverified', matched_secret_index: null });
    if (readable) expect(decoded.payload).toEqual(JSON.parse(payload));
    const verified = cli('verify', '--json', '--format', format, '--secret', 'not-it', '--secret', SECRET, ...naming, ...sig, '--', out.cookie);
    expect(verified.status, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ format, signature: 'valid', verdict: 'valid', matched_secret_index: 1 });
    expect(cli('verify', '--format', format, '--secret', 'not-it', ...naming, ...sig, '--', out.cookie).status).toBe(1);
  });
});
