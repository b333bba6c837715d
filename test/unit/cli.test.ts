import { describe, expect, it } from 'vitest';
import { extractCookie, main } from '../../src/cli/session-lens';
import { flaskSessionRuns } from '../support/sequences';
import { expectedVerdict, FLASK_VECTOR_FILES, loadVectorFile, normalizeVerdict, type FlaskVector, type FlaskVectorFile, type VectorSecret } from '../support/vectors';

function runCli(argv: string[], stdin = '', env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = main({ argv, env, readStdin: () => stdin, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false });
  return { code, stdout, stderr };
}

function secretArgs(secrets: VectorSecret[]): string[] {
  return secrets.flatMap((s) => (s.type === 'str' ? ['--secret', s.value] : ['--secret-hex', s.hex]));
}

function vectorSecrets(v: FlaskVector): VectorSecret[] {
  const verify = v.config.verify_secret;
  if (verify) return Array.isArray(verify) ? verify : [verify];
  return [v.config.secret, ...(v.config.fallback_secrets ?? [])];
}

const vectors = FLASK_VECTOR_FILES.flatMap((f) => loadVectorFile<FlaskVectorFile>(f).vectors);

describe('CLI on every Flask vector', () => {
  for (const v of vectors) {
    it(v.id, () => {
      const signer = ['--salt', v.config.salt, '--digest', v.config.digest, '--key-derivation', v.config.key_derivation];
      const verified = runCli(['verify', v.cookie_value, ...secretArgs(vectorSecrets(v)), ...signer, '--json']);
      const out = JSON.parse(verified.stdout);
      const verdict = normalizeVerdict(expectedVerdict(v));
      expect(out.verdict).toBe(verdict);
      expect(verified.code).toBe(verdict === 'valid' ? 0 : verdict === 'malformed' ? 2 : 1);
      const payload = v.expected.payload ?? v.expected.unverified_payload;
      if (payload !== undefined && payload !== null) expect(out.payload).toEqual(payload);
      if (v.expected.signature_verifies_with_keys && verdict === 'valid') {
        const names = vectorSecrets(v).map((s) => (s.type === 'str' ? s.value : s.hex));
        expect(names[out.matched_secret_index]).toBe(v.expected.signature_verifies_with_keys[0]);
      }
      const decoded = JSON.parse(runCli(['decode', v.cookie_value, '--json']).stdout);
      expect(decoded.signature).toBe('not_checked');
      if (v.expected.timestamp_raw !== undefined) {
        expect(decoded.timestamp).toBe(v.expected.timestamp_raw);
        expect(decoded.legacy_timestamp).toBe(v.expected.timestamp);
      } else if (v.expected.timestamp !== undefined) {
        expect(decoded.timestamp).toBe(v.expected.timestamp);
        // Anything before 2011 may be an itsdangerous 0.x timestamp, so the other reading is offered too.
        expect(decoded.legacy_timestamp).toBe(v.expected.timestamp < 1293840000 ? v.expected.timestamp + 1293840000 : undefined);
      }
      if (v.expected.compressed !== undefined) expect(decoded.compressed).toBe(v.expected.compressed);
      for (const check of v.expected.max_age_checks ?? []) {
        const timed = JSON.parse(runCli(['verify', v.cookie_value, ...secretArgs(vectorSecrets(v)), ...signer, '--max-age', String(check.max_age), '--now', String(check.now), '--json']).stdout);
        expect(timed.verdict, check.label).toBe(normalizeVerdict(check.verdict));
      }
    });
  }
});

describe('CLI on every Flask-Session id the real servers issued', () => {
  for (const run of flaskSessionRuns()) {
    for (const step of run.steps.filter((s) => s.cookie_value && s.sid_len && s.sid_len >= 36)) {
      it(`${run.stack} signer=${run.SESSION_USE_SIGNER} ${step.step}`, () => {
        const r = runCli(['verify', step.cookie_value!, '--secret', run.secret_key, '--json']);
        const out = JSON.parse(r.stdout);
        expect(out.format).toBe('flask-session');
        expect(out.session_id).toBe(step.unsigned_sid ?? step.cookie_value);
        expect(out.signed).toBe(run.SESSION_USE_SIGNER);
        expect(out.verdict).toBe(run.SESSION_USE_SIGNER ? 'valid' : 'unverified');
        expect(r.code).toBe(0);
        if (run.SESSION_USE_SIGNER) {
          const wrong = runCli(['verify', step.cookie_value!, '--secret', 'not-' + run.secret_key, '--json']);
          expect(JSON.parse(wrong.stdout).verdict).toBe('bad_signature');
          expect(wrong.code).toBe(1);
        }
      });
    }
  }
});

describe('CLI behaviour', () => {
  const cookie = 'eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.hjhtQRGPO7UK57j5dSOtrXVGqbs'; // {"user_id": 42} signed with "dev" at 1700000000

  it('reads the cookie from stdin with -', () => {
    const r = runCli(['verify', '-', '--secret', 'dev', '--json'], `${cookie}\n`);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'valid', payload: { user_id: 42 }, matched_secret_index: 0 });
  });

  it('accepts name=value and whole Set-Cookie lines', () => {
    expect(extractCookie(`session=${cookie}; HttpOnly; Path=/`, undefined)).toEqual({ name: 'session', value: cookie });
    expect(extractCookie(`Cookie: theme=dark; session=${cookie}`, undefined)).toEqual({ name: 'session', value: cookie });
    expect(extractCookie(`Cookie: a=1; myapp=${cookie}`, 'myapp')).toEqual({ name: 'myapp', value: cookie });
    expect(extractCookie(cookie, undefined)).toEqual({ name: undefined, value: cookie });
    // No name given: the pair that looks like a session wins over the first one.
    expect(extractCookie(`Cookie: theme=dark; app_sess=${cookie}; lang=en`, undefined)).toEqual({ name: 'app_sess', value: cookie });
  });

  it('names the matching key among fallbacks in text output', () => {
    const r = runCli(['verify', cookie, '--secret', 'new', '--secret', 'dev']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(key 2 of 2\)/);
  });

  it('says invalid for all keys and exits 1', () => {
    const r = runCli(['verify', cookie, '--secret', 'a', '--secret', 'b', '--secret', 'c']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/invalid for all 3 keys/);
  });

  it('reads secrets from the environment', () => {
    const r = runCli(['verify', cookie, '--secret-env', 'APP_KEY', '--json'], '', { APP_KEY: 'dev' });
    expect(JSON.parse(r.stdout).verdict).toBe('valid');
    expect(runCli(['verify', cookie, '--secret-env', 'MISSING']).code).toBe(2);
  });

  it('reports usage errors with exit code 2 and a message', () => {
    for (const argv of [[], ['verify', cookie], ['frobnicate'], ['verify', cookie, '--secret', 'x', '--digest', 'sha3'], ['sign', '--secret', 'x'], ['verify', cookie, '--secret', 'x', '--max-age', 'soon']]) {
      const r = runCli(argv);
      if (argv.length === 0) {
        expect(r.code).toBe(0); // bare invocation prints help
        expect(r.stdout).toMatch(/Usage:/);
      } else {
        expect(r.code, argv.join(' ')).toBe(2);
        expect(r.stderr).toMatch(/^session-lens: /);
      }
    }
  });

  it('signs a $type payload that verifies and decodes back to the same value', () => {
    const payload = '{"cart":{"$type":"tuple","items":[1,2.0]},"blob":{"$type":"bytes","base64":"AAEC","hex":"000102"},"big":{"$type":"int","value":"-123456789012345678901"}}';
    const signed = runCli(['sign', '--secret', 'k', '--payload', payload, '--timestamp', '1700000000']);
    expect(signed.code).toBe(0);
    const out = JSON.parse(runCli(['verify', signed.stdout.trim(), '--secret', 'k', '--json']).stdout);
    expect(out.verdict).toBe('valid');
    expect(out.timestamp).toBe(1700000000);
    expect(out.payload).toEqual(JSON.parse(payload));
  });

  it('rejects a sign payload that is not valid $type JSON', () => {
    const r = runCli(['sign', '--secret', 'k', '--payload', '{"x": {"$type": "frob"}}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown "\$type"/);
  });
});
