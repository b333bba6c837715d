import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A test app in a child process (Django, Rails): it prints one JSON line `{"ready": true, "port":
 * N, …}` once it listens on 127.0.0.1, and exits when its stdin closes, so that a dead test cannot
 * leak it. Resolves with the ready line's fields.
 */
export interface ChildApp {
  /** Base URL without a trailing slash. */
  url: string;
  /** The ready line (versions and the like). */
  ready: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startChildApp({ command, args, env, label, readyTimeoutMs = 30_000 }: { command: string; args: string[]; env: NodeJS.ProcessEnv; label: string; readyTimeoutMs?: number }): Promise<ChildApp> {
  const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Record<string, unknown> & { port: number }>((resolve, reject) => {
    const timer = setTimeout(() => fail(`printed no ready line within ${readyTimeoutMs} ms`), readyTimeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${label} ${why}\n--- stderr ---\n${stderr || '(none)'}`));
    };
    child.once('exit', (code) => fail(`exited before it was ready (code ${code})`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { ready?: boolean; port?: number };
        if (parsed.ready && typeof parsed.port === 'number') {
          clearTimeout(timer);
          resolve(parsed as Record<string, unknown> & { port: number });
        }
      } catch {
        /* not the ready line */
      }
    });
  });
  return {
    url: `http://127.0.0.1:${ready.port}`,
    ready,
    stop: async () => {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
