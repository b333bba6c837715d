import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { REPO_ROOT, pythonFor } from './services';

/** test/python/django_app.py: a real Django (Debian's 3.2) app on the signed_cookies session backend. */
export interface DjangoApp {
  /** Base URL without a trailing slash. */
  url: string;
  django: string;
  stop(): Promise<void>;
}

const APP = path.join(REPO_ROOT, 'test', 'python', 'django_app.py');

export async function startDjangoApp({ secretKey, readyTimeoutMs = 30_000 }: { secretKey: string; readyTimeoutMs?: number }): Promise<DjangoApp> {
  const env = { ...process.env, SESSION_LENS_DJANGO_SECRET: secretKey, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  // stdin stays open while the app should run: the app exits when it closes, so a dead test cannot leak it.
  const child = spawn(pythonFor('debian'), [APP], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ port: number; django: string }>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no ready line within ${readyTimeoutMs} ms`), readyTimeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`test/python/django_app.py ${why}\n--- stderr ---\n${stderr || '(none)'}`));
    };
    child.once('exit', (code) => fail(`exited before it was ready (code ${code})`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { ready?: boolean; port?: number; django?: string };
        if (parsed.ready && typeof parsed.port === 'number') {
          clearTimeout(timer);
          resolve({ port: parsed.port, django: parsed.django ?? '' });
        }
      } catch {
        /* not the ready line */
      }
    });
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    django: ready.django,
    stop: async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
