import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/services';
import { FLASK_VECTOR_FILES, expectedVerdict, loadVectorFile, normalizeVerdict, type FlaskVectorFile } from '../support/vectors';

/** The built `bin` entry, run as users run it (`npm run build` comes first in `npm test`). */
const BIN = join(REPO_ROOT, (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['session-lens']!);

describe('the built session-lens binary', () => {
  it('exists after npm run build', () => {
    expect(existsSync(BIN), `${BIN} is missing: run npm run build`).toBe(true);
  });

  it('verifies shared vectors with the exit codes of the contract', () => {
    const vectors = FLASK_VECTOR_FILES.flatMap((f) => loadVectorFile<FlaskVectorFile>(f).vectors).filter((_, i) => i % 7 === 0);
    for (const v of vectors) {
      const secret = v.config.secret.type === 'str' ? ['--secret', v.config.secret.value] : ['--secret-hex', v.config.secret.hex];
      const args = [BIN, 'verify', v.cookie_value, ...secret, '--salt', v.config.salt, '--digest', v.config.digest, '--key-derivation', v.config.key_derivation, '--json'];
      const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
      const verdict = normalizeVerdict(expectedVerdict(v));
      expect(JSON.parse(run.stdout).verdict, v.id).toBe(verdict);
      expect(run.status, v.id).toBe(verdict === 'valid' ? 0 : verdict === 'malformed' ? 2 : 1);
    }
  });

  it('reads stdin, signs, and prints help', () => {
    const cookie = execFileSync(process.execPath, [BIN, 'sign', '--secret', 's', '--payload', '-'], { input: '{"a": [1, 2.5]}', encoding: 'utf8' }).trim();
    const out = JSON.parse(execFileSync(process.execPath, [BIN, 'verify', '-', '--secret', 's', '--json'], { input: cookie, encoding: 'utf8' }));
    expect(out).toMatchObject({ verdict: 'valid', payload: { a: [1, 2.5] } });
    expect(execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' })).toMatch(/^session-lens — /);
    expect(spawnSync(process.execPath, [BIN, 'verify'], { encoding: 'utf8' }).status).toBe(2);
  });

  it('JWT: decode --json without a secret, verify with the exit codes of the contract, sign reproduces jsonwebtoken', () => {
    const jwt = loadVectorFile<{ vectors: { framework: string; secret: string; token: string; payload_json: string }[] }>('node_cookies.json').vectors.filter((v) => v.framework === 'jwt-hs256');
    expect(jwt.length).toBeGreaterThan(0);
    for (const v of jwt) {
      const decoded = JSON.parse(execFileSync(process.execPath, [BIN, 'decode', '--json', '--now', '1700000100', '--', v.token], { encoding: 'utf8' }));
      expect(decoded).toMatchObject({ format: 'jwt', verdict: 'unverified', alg: 'HS256', payload: JSON.parse(v.payload_json) });
      const run = (secret: string) => spawnSync(process.execPath, [BIN, 'verify', v.token, '--secret', secret, '--now', '1700000100', '--json'], { encoding: 'utf8' });
      expect([JSON.parse(run(v.secret).stdout).verdict, run(v.secret).status]).toEqual(['valid', 0]);
      expect([JSON.parse(run('wrong').stdout).verdict, run('wrong').status]).toEqual(['bad_signature', 1]);
      expect(execFileSync(process.execPath, [BIN, 'sign', '--format', 'jwt', '--secret', v.secret, '--no-sort-keys', '--payload', v.payload_json], { encoding: 'utf8' }).trim()).toBe(v.token);
    }
  });

  // A 1.4 KB cookie whose payload inflates to 1 MB: its output is far larger than a pipe's buffer.
  const largeOutputCookie = `.${deflateSync(`{"a":"${'x'.repeat(1_000_000)}"}`).toString('base64url')}.ZVPxAA.${'A'.repeat(27)}`;
  const noStackTrace = (stderr: string) => expect(stderr).not.toMatch(/node:|\bat .*\(|Error:/);

  it('stops quietly when the reader closes the pipe early (EPIPE), keeping the status of the answer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'session-lens-epipe-'));
    try {
      writeFileSync(join(dir, 'cookie'), largeOutputCookie);
      for (const args of ['decode --json -', 'decode -', 'verify --secret k -']) {
        const run = spawnSync('bash', ['-c', `"$0" "$1" ${args} < "$2" 2>"$3" | head -c 20 >/dev/null; echo "\${PIPESTATUS[0]}"`, process.execPath, BIN, join(dir, 'cookie'), join(dir, 'err')], { encoding: 'utf8' });
        const stderr = readFileSync(join(dir, 'err'), 'utf8');
        expect(stderr, args).toBe('');
        // decode: 0 (decoded); verify with a wrong key: 1, the answer, not a crash.
        expect(run.stdout.trim(), args).toBe(args.startsWith('verify') ? '1' : '0');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops quietly when stdout is already closed before the first write', async () => {
    const child = spawn(process.execPath, [BIN, 'decode', 'eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.hjhtQRGPO7UK57j5dSOtrXVGqbs'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  it('reports a full disk on stderr and exits 2', () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['decode', largeOutputCookie], ['decode', '--json', 'eyJ1c2VyX2lkIjo0Mn0.ZVPxAA.hjhtQRGPO7UK57j5dSOtrXVGqbs'], ['sign', '--secret', 'k', '--payload', '{}'], ['--help']]) {
        const run = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
        expect(run.status, args[0]).toBe(2);
        expect(run.stderr).toMatch(/^session-lens: cannot write to standard output: ENOSPC/);
        noStackTrace(run.stderr);
      }
    } finally {
      closeSync(full);
    }
  });

  it('refuses more than 1 MiB on stdin without reading all of it', () => {
    const input = 'a'.repeat(64 * 1024 * 1024);
    const run = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, BIN, 'decode', '-'], { input, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/larger than 1 MiB.*\[ERR_INPUT_TOO_LARGE\]/);
    const maxRssKb = Number(run.stderr.trim().split('\n').pop());
    expect(maxRssKb).toBeLessThan(128 * 1024);
  });

  it('reads a Flask-Session id that begins with "-" and a deletion line', () => {
    const id = '-Q3xv1BpdUoV6rM0Y2Q7z8aLk9fWcJ4eHn5sTgRiXyA';
    expect(JSON.parse(execFileSync(process.execPath, [BIN, 'decode', id, '--json'], { encoding: 'utf8' })).session_id).toBe(id);
    expect(JSON.parse(execFileSync(process.execPath, [BIN, 'decode', '--json', '--', id], { encoding: 'utf8' })).session_id).toBe(id);
    const deletion = 'Set-Cookie: session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/';
    expect(JSON.parse(execFileSync(process.execPath, [BIN, 'decode', '--json', '-'], { input: deletion, encoding: 'utf8' }))).toMatchObject({ deletion: true, verdict: 'unverified' });
  });
});
