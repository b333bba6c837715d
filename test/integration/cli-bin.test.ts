import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
});
