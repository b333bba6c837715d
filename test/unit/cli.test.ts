import { describe, expect, it } from 'vitest';
import { extractCookie, main } from '../../src/cli/session-lens';
import { flaskSessionRuns } from '../support/sequences';
import { expectedVerdict, FLASK_VECTOR_FILES, loadVectorFile, normalizeVerdict, type FlaskVector, type FlaskVectorFile, type VectorSecret } from '../support/vectors';

function runCli(argv: string[], stdin = '', env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = main({ argv, env, readStdin: () => new TextEncoder().encode(stdin), stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), color: false });
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
    expect(extractCookie(`session=${cookie}; HttpOnly; Path=/`, undefined)).toMatchObject({ name: 'session', value: cookie, deletion: false });
    expect(extractCookie(`Cookie: theme=dark; session=${cookie}`, undefined)).toMatchObject({ name: 'session', value: cookie });
    expect(extractCookie(`Cookie: a=1; myapp=${cookie}`, 'myapp')).toMatchObject({ name: 'myapp', value: cookie });
    expect(extractCookie(cookie, undefined)).toMatchObject({ name: undefined, value: cookie });
    // No name given: the pair that looks like a session wins over the first one.
    expect(extractCookie(`Cookie: theme=dark; app_sess=${cookie}; lang=en`, undefined)).toMatchObject({ name: 'app_sess', value: cookie, notes: [] });
    // A padded bare value is not read as a pair named after its payload.
    expect(extractCookie(`${cookie}=`, undefined)).toMatchObject({ name: undefined, value: `${cookie}=` });
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

describe('CLI on hostile input', () => {
  const cookie = 'eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.hjhtQRGPO7UK57j5dSOtrXVGqbs';
  // A Flask-Session 0.8 id (token_urlsafe(32)) that happens to begin with "-".
  const dashId = '-Q3xv1BpdUoV6rM0Y2Q7z8aLk9fWcJ4eHn5sTgRiXyA';
  // eslint-disable-next-line no-control-regex -- raw control characters are what must not appear
  const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;

  it('reads a cookie that begins with "-" as the cookie, and anything after --', () => {
    for (const argv of [['decode', dashId, '--json'], ['decode', '--json', dashId], ['decode', '--json', '--', dashId]]) {
      const r = runCli(argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ format: 'flask-session', session_id: dashId, session_id_kind: 'token_urlsafe_32' });
    }
    expect(JSON.parse(runCli(['decode', '--json', '--', '--help']).stdout).verdict).toBe('malformed');
    // Secrets may begin with "-" too.
    const signed = runCli(['sign', '--secret', '-k', '--payload', '{"a":1}']).stdout.trim();
    expect(JSON.parse(runCli(['verify', signed, '--secret', '-k', '--json']).stdout).verdict).toBe('valid');
    const typo = runCli(['verify', cookie, '--secrte', 'dev']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown option "--secrte"/);
    expect(runCli(['verify', cookie, '--secret']).stderr).toMatch(/--secret needs a value/);
  });

  it('takes environment variables by their own names only', () => {
    for (const name of ['constructor', '__proto__', 'toString']) {
      const r = runCli(['verify', cookie, '--secret-env', name]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toMatch(/is not set/);
    }
  });

  it('escapes control characters in every text it prints', () => {
    const hostile = '\x1b]0;owned\x07\x9b31m\u202eevil\u2066\r\nVerdict    valid';
    const id = runCli(['decode', '--format', 'flask-session', hostile + 'A'.repeat(20)]);
    expect(id.stdout).not.toMatch(CONTROL);
    expect(id.stdout).toContain('\\x1b]0;owned\\x07\\x9b31m\\u202eevil\\u2066\\r\\nVerdict');
    expect(id.stdout.split('\n').filter((line) => line.startsWith('Verdict'))).toHaveLength(1);
    // Names in notes, payload strings (JSON escapes decode to raw controls), usage errors.
    const payload = Buffer.from(`{"k": ${JSON.stringify(hostile)}}`).toString('base64url');
    for (const argv of [
      ['decode', 'Cookie: a=1; b=2', '--name', `x\x1b]8;;http://evil\x07\u202e`],
      ['decode', `${payload}.ZVPxAA.hjhtQRGPO7UK57j5dSOtrXVGqbs`],
      [`frob\x9b2J\u202e`],
      ['decode', cookie, '--\x9b2J\u2067'],
    ]) {
      const r = runCli(argv);
      expect(r.stdout + r.stderr, JSON.stringify(argv)).not.toMatch(CONTROL);
      expect(r.stdout + r.stderr, JSON.stringify(argv)).toMatch(/\\(x1b|x9b|u001b)/);
    }
  });

  it('escapes the same characters in JSON output, as \\u escapes that parse back to the value', () => {
    const value = 'a\u202eb\x9bc\u2028d\ufeff';
    const signed = runCli(['sign', '--secret', 'k', '--payload', JSON.stringify({ v: value }), '--no-ensure-ascii', '--json']);
    expect(signed.stdout).not.toMatch(CONTROL);
    expect(JSON.parse(signed.stdout).payload_json_text).toBe(`{"v": "${value}"}`.replace(': ', ':'));
    const decoded = runCli(['decode', JSON.parse(signed.stdout).cookie, '--json']);
    expect(decoded.stdout).not.toMatch(CONTROL);
    expect(JSON.parse(decoded.stdout).payload).toEqual({ v: value });
  });

  it('refuses standard input and payloads beyond 1 MiB', () => {
    const big = runCli(['decode', '-'], 'a'.repeat(1024 * 1024 + 1));
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/larger than 1 MiB.*\[ERR_INPUT_TOO_LARGE\]/);
    expect(runCli(['decode', '-', '--json'], `${cookie}${' '.repeat(1024 * 1024 - cookie.length)}`).code).toBe(0);
    const payload = `{"a":"${'x'.repeat(1024 * 1024)}"}`;
    for (const r of [runCli(['sign', '--secret', 'k', '--payload', '-'], payload), runCli(['sign', '--secret', 'k', '--payload', payload])]) {
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[ERR_INPUT_TOO_LARGE\]/);
    }
  });

  it('chooses among at most 200 cookies of a line, by shape, and says so', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `c${i}=${i}`);
    const late = extractCookie(`Cookie: ${[...many.slice(0, 300), `app=${cookie}`].join('; ')}`, undefined);
    expect(late).toMatchObject({ name: 'c0', notes: ['the line has more than 200 cookies; only the first 200 were considered'] });
    const early = extractCookie(`Cookie: ${[...many.slice(0, 150), `app=${cookie}`, ...many].join('; ')}`, undefined);
    expect(early).toMatchObject({ name: 'app', value: cookie });
    // The wanted name is matched past the 200 as well, the way Flask reads it.
    expect(extractCookie(`Cookie: ${[...many, `session=${cookie}`].join('; ')}`, undefined)).toMatchObject({ name: 'session', value: cookie });
    const r = runCli(['decode', '-', '--json'], `Cookie: ${[...many.slice(0, 150), `app=${cookie}`, ...many].join('; ')}`);
    expect(JSON.parse(r.stdout)).toMatchObject({ payload: { user_id: 42 }, notes: ['the line has more than 200 cookies; only the first 200 were considered'] });
    // Named cookies win wherever they are within the budget; a payload-shaped value beats an id-shaped one.
    const uuid = '0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f';
    expect(extractCookie(`Cookie: sid=${uuid}; app=${cookie}`, undefined)).toMatchObject({ name: 'app' });
    expect(extractCookie(`Cookie: csrf=IjEyMyI.ZVPxAA.hjhtQRGPO7UK57j5dSOtrXVGqbs; sid=${uuid}`, undefined)).toMatchObject({ name: 'sid' });
    expect(extractCookie(`Cookie: x=${cookie}; myapp=2`, 'myapp')).toMatchObject({ name: 'myapp', value: '2' });
    expect(extractCookie(`Cookie: x=${cookie}; y=2`, 'myapp')).toMatchObject({ name: 'x', notes: ['no cookie is named myapp; read x, the one shaped most like a session'] });
  });

  it('reports a Set-Cookie that deletes the session as a deletion, in any format', () => {
    const line = 'session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/';
    for (const argv of [['decode', line], ['decode', `Set-Cookie: ${line}`], ['verify', line, '--secret', 'k'], ['decode', line, '--format', 'flask-session']]) {
      const text = runCli(argv);
      expect(text.code, argv.join(' ')).toBe(0);
      expect(text.stdout).toMatch(/^Deletion +deletes session: the browser drops it/m);
      expect(text.stdout).not.toMatch(/malformed/);
      const json = runCli([...argv, '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ format: 'unknown', deletion: true, verdict: 'unverified', signature: 'not_checked', payload: null });
    }
    expect(JSON.parse(runCli(['decode', 'Set-Cookie: session=x; Expires=Thu, 01 Jan 1970 00:00:00 GMT', '--json']).stdout).deletion).toBe(true);
    const kept = JSON.parse(runCli(['decode', `Set-Cookie: session=${cookie}; Max-Age=3600; Path=/`, '--json']).stdout);
    expect(kept).toMatchObject({ deletion: false, verdict: 'unverified', payload: { user_id: 42 } });
  });
});

describe('CLI argument parsing at scale', () => {
  // node:util's parseArgs was quadratic here (about 7 s); the single pass takes milliseconds. Speed is not asserted in tests.
  it('reads 120,000 --secret values, in order', async () => {
    const { parseCli } = await import('../../src/cli/args');
    const argv = ['verify', 'c', ...Array.from({ length: 120_000 }, (_, i) => (i % 2 ? ['--secret', `s${i}`] : [`--secret-hex=${(i % 256).toString(16).padStart(2, '0')}`])).flat()];
    const parsed = parseCli(argv, {});
    expect(parsed.kind === 'run' && parsed.options.secrets.length).toBe(120_000);
    expect(parsed.kind === 'run' && parsed.options.secrets.slice(0, 2)).toEqual([{ hex: '00' }, { text: 's1' }]);
  });
});

describe('CLI on every Django session vector', () => {
  interface DjangoVector {
    id: string;
    cookie_name?: string;
    cookie_value?: string;
    config?: { SECRET_KEY: string; algorithm?: string };
    expected?: { verdict: string; payload: unknown; timestamp?: number };
  }
  const django = loadVectorFile<{ vectors: DjangoVector[] }>('django_signed_cookies.json').vectors.filter((v) => v.cookie_name === 'sessionid' && v.cookie_value && v.expected);
  for (const v of django) {
    it(v.id, () => {
      const digest = v.config!.algorithm?.startsWith('sha1') ? ['--digest', 'sha1'] : [];
      const now = ['--now', String(v.expected!.timestamp ?? 1_700_000_000)];
      // Detected from the Cookie line (csrftoken beside it), verified with the vector's key.
      const verified = runCli(['verify', `Cookie: csrftoken=abc123; sessionid=${v.cookie_value}`, '--secret', v.config!.SECRET_KEY, ...digest, ...now, '--json']);
      const out = JSON.parse(verified.stdout) as { format: string; verdict: string; payload: unknown; timestamp: number | null };
      expect(out.format).toBe('django');
      expect(out.verdict).toBe(v.expected!.verdict);
      expect(verified.code).toBe(v.expected!.verdict === 'valid' ? 0 : 1);
      if (v.expected!.verdict === 'valid') expect(out.payload).toEqual(v.expected!.payload);
      const decoded = runCli(['decode', v.cookie_value!, ...now, '--json']);
      // Unverified, unless its payload was tampered into something that does not decode.
      expect(JSON.parse(decoded.stdout)).toMatchObject({ format: 'django', verdict: v.id.endsWith('tampered-payload') ? 'malformed' : 'unverified' });
    });
  }

  it('signs as the signed_cookies backend does, byte for byte when uncompressed', () => {
    const login = django.find((v) => v.id.endsWith('/login'))!;
    const signed = runCli(['sign', '--format', 'django', '--secret', login.config!.SECRET_KEY, '--timestamp', '1700000000', '--payload', JSON.stringify(login.expected!.payload)]);
    expect(signed).toMatchObject({ code: 0, stdout: `${login.cookie_value}\n` });
    const text = runCli(['verify', login.cookie_value!, '--secret', login.config!.SECRET_KEY, '--now', '1700000000']);
    expect(text.stdout).toMatch(/^Format {5}Django session, signed_cookies$/m);
    expect(text.stdout).toContain("{'user_id': 42, 'username': 'alice'}");
    const expired = runCli(['verify', login.cookie_value!, '--secret', login.config!.SECRET_KEY, '--now', String(1_700_000_000 + 1_209_601)]);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toMatch(/expired — signed longer ago than SESSION_COOKIE_AGE/);
  });
});
