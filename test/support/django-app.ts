import path from 'node:path';
import { startChildApp } from './child-app';
import { REPO_ROOT, pythonFor } from './services';

/** test/python/django_app.py: a real Django (Debian's 3.2) app on the signed_cookies (or the database) session backend. */
export interface DjangoApp {
  /** Base URL without a trailing slash. */
  url: string;
  django: string;
  stop(): Promise<void>;
}

const APP = path.join(REPO_ROOT, 'test', 'python', 'django_app.py');

/** `engine`: the session backend, signed_cookies (the session in the cookie) or db (an opaque key; SQLite). */
export async function startDjangoApp({ secretKey, engine = 'signed_cookies', readyTimeoutMs }: { secretKey: string; engine?: 'signed_cookies' | 'db'; readyTimeoutMs?: number }): Promise<DjangoApp> {
  const env = { ...process.env, SESSION_LENS_DJANGO_SECRET: secretKey, SESSION_LENS_DJANGO_ENGINE: engine, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  const app = await startChildApp({ command: pythonFor('debian'), args: [APP], env, label: 'test/python/django_app.py', readyTimeoutMs });
  return { url: app.url, django: String(app.ready.django ?? ''), stop: app.stop };
}
