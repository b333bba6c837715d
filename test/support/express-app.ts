import type { AddressInfo } from 'node:net';
import cookieParser from 'cookie-parser';
import express from 'express';
import jwt from 'jsonwebtoken';

/**
 * A real Express 5 app, in the test's process, that keeps its session in a JWT cookie the way
 * apps commonly do: jsonwebtoken signs (HS256, `expiresIn`), cookie-parser reads the cookie back,
 * and `jwt.verify` decides. Each route answers with a small HTML page, so a test can navigate to it.
 *
 *   GET /jwt/login?user=NAME   sign {sub, role: "user"} into the `token` cookie (HttpOnly, SameSite=Lax)
 *   GET /jwt/whoami            verify the cookie: 200 with the claims, or 401
 *   GET /jwt/refresh           re-sign the same claims (new iat and exp)
 *   GET /jwt/promote           re-sign with role "admin"
 *   GET /jwt/logout            clear the cookie
 */

export interface ExpressApp {
  /** Base URL without a trailing slash. */
  url: string;
  stop(): Promise<void>;
}

export const JWT_COOKIE = 'token';

function page(title: string, body: unknown): string {
  const text = JSON.stringify(body).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><pre>${text}</pre></body></html>`;
}

export async function startExpressApp({ jwtSecret, jwtLifetime = '1h' }: { jwtSecret: string; jwtLifetime?: string }): Promise<ExpressApp> {
  const app = express();
  app.use(cookieParser());
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, path: '/' };
  const issue = (res: express.Response, claims: { sub: string; role: string }) => {
    res.cookie(JWT_COOKIE, jwt.sign(claims, jwtSecret, { algorithm: 'HS256', expiresIn: jwtLifetime as jwt.SignOptions['expiresIn'] }), cookieOptions);
  };
  /** The claims of a valid cookie, or null (answered 401). */
  const claimsOf = (req: express.Request, res: express.Response): { sub: string; role: string } | null => {
    try {
      const claims = jwt.verify(String(req.cookies[JWT_COOKIE] ?? ''), jwtSecret, { algorithms: ['HS256'] }) as jwt.JwtPayload;
      return { sub: String(claims.sub), role: String(claims.role) };
    } catch (error) {
      res.status(401).send(page('rejected', { error: (error as Error).message }));
      return null;
    }
  };

  app.get('/', (_req, res) => void res.send(page('express demo', { routes: ['/jwt/login', '/jwt/whoami', '/jwt/refresh', '/jwt/promote', '/jwt/logout'] })));
  app.get('/jwt/login', (req, res) => {
    const claims = { sub: String(req.query.user ?? 'ada'), role: 'user' };
    issue(res, claims);
    res.send(page('logged in', claims));
  });
  app.get('/jwt/whoami', (req, res) => {
    const claims = claimsOf(req, res);
    if (claims) res.send(page('whoami', claims));
  });
  app.get('/jwt/refresh', (req, res) => {
    const claims = claimsOf(req, res);
    if (!claims) return;
    issue(res, claims);
    res.send(page('refreshed', claims));
  });
  app.get('/jwt/promote', (req, res) => {
    const claims = claimsOf(req, res);
    if (!claims) return;
    issue(res, { ...claims, role: 'admin' });
    res.send(page('promoted', { ...claims, role: 'admin' }));
  });
  app.get('/jwt/logout', (_req, res) => {
    res.clearCookie(JWT_COOKIE, cookieOptions);
    res.send(page('logged out', {}));
  });

  return listenOnLoopback(app);
}

/** Serves `app` on 127.0.0.1 and a free port; `stop` drops open connections and closes the server. */
export async function listenOnLoopback(app: express.Express): Promise<ExpressApp> {
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
