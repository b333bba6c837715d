/**
 * The Python companion (companion/, flask_session_lens) runs its own unittest suite on both
 * Flask stacks; this file makes `npm run test:integration` run it and fail with it:
 *   debian  Flask 2.2.2 + Flask-Session 0.3.2 (/usr/bin/python3)
 *   modern  Flask 3.1.3 + Flask-Session 0.8.0 (.venv-modern)
 * The suite starts its own redis-server on a free loopback port.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FLASK_STACKS, REPO_ROOT, pythonFor } from '../support/services';

const COMPANION = path.join(REPO_ROOT, 'companion');

describe.each(FLASK_STACKS)('companion unittest suite on the %s stack', (stack) => {
  it('passes, with Flask-Session and redis covered', () => {
    const run = spawnSync(pythonFor(stack), ['-m', 'unittest', 'discover', '-v', '-s', path.join(COMPANION, 'tests')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PYTHONPATH: [COMPANION, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter), PYTHONDONTWRITEBYTECODE: '1' },
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.error, output).toBeUndefined();
    expect(run.status, output).toBe(0);
    expect(Number(/^Ran (\d+) tests?/m.exec(output)?.[1] ?? 0), output).toBeGreaterThan(0);
    // A missing redis-server or Flask-Session skips those tests in Python; here that is a failure.
    expect(output.match(/skipped '.*not installed.*'/g) ?? [], output).toEqual([]);
  }, 150_000);
});
