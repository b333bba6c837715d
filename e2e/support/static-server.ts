import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  url(path: string): string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** The HttpOnly cookie `/` sets; tests look for it in the headers the panel received. */
export const SESSION_COOKIE = 'sl_session';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Session Lens e2e page</title></head>
<body><h1>Session Lens e2e page</h1></body></html>`;

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string | string[]> = {}) {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

/**
 * A tiny HTTP server on 127.0.0.1 and a free port, for the smoke tests:
 *   GET /          HTML; sets `sl_session=…; HttpOnly` and `sl_theme=…` (two Set-Cookie headers), Vary: Cookie
 *   GET /api/ping  JSON; sets `sl_ping=<n>; HttpOnly`
 *   GET /redirect  302 to /
 *   anything else  404
 * Close it in teardown: an open server keeps Node alive.
 */
export async function startStaticServer(): Promise<StaticServer> {
  const requests: RecordedRequest[] = [];
  let pings = 0;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.push({ method: req.method ?? 'GET', path, headers: req.headers });
    if (path === '/') {
      send(res, 200, 'text/html; charset=utf-8', PAGE, {
        'Set-Cookie': [`${SESSION_COOKIE}=e2e-${requests.length}; Path=/; HttpOnly; SameSite=Lax`, 'sl_theme=dark; Path=/; SameSite=Lax'],
        Vary: 'Cookie',
      });
    } else if (path === '/api/ping') {
      pings += 1;
      send(res, 200, 'application/json', JSON.stringify({ pong: pings }), {
        'Set-Cookie': `sl_ping=${pings}; Path=/; HttpOnly; SameSite=Lax`,
        Vary: 'Cookie',
      });
    } else if (path === '/redirect') {
      send(res, 302, 'text/plain', 'see /', { Location: '/' });
    } else {
      send(res, 404, 'text/plain', 'not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: (path) => new URL(path, origin).href,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
