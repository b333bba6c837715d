import cookieSession from 'cookie-session';
import express from 'express';
import session from 'express-session';
import { listenOnLoopback, type ExpressApp } from './express-app';

/**
 * Real Express 5 apps, in the test's process, with the two session middlewares Express apps use:
 * express-session (MemoryStore; the cookie `connect.sid` holds a signed id) and cookie-session
 * (the session in the cookie `session`, signed by `session.sig`). The same routes on both, each
 * answering with a small page that shows the session as the app sees it:
 *
 *   GET /login?user=NAME   start a session {user, cart: []}
 *   GET /cart?add=ITEM     add an item to the cart
 *   GET /whoami            read the session, change nothing
 *   GET /logout            end the session (express-session: destroy + clearCookie; cookie-session: null)
 */

export type NodeSessionKind = 'express-session' | 'cookie-session';

export const NODE_SESSION_COOKIE: Record<NodeSessionKind, string> = { 'express-session': 'connect.sid', 'cookie-session': 'session' };

interface SessionData {
  user?: string;
  cart?: string[];
}

function page(title: string, body: unknown): string {
  const text = JSON.stringify(body ?? null).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><pre>${text}</pre></body></html>`;
}

/** `secrets`: express-session's `secret` array or cookie-session's `keys` (the first signs, all verify). */
export async function startNodeSessionApp(kind: NodeSessionKind, secrets: string[]): Promise<ExpressApp> {
  const app = express();
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  if (kind === 'express-session') {
    app.use(session({ secret: secrets, resave: false, saveUninitialized: false, cookie: { httpOnly: true, sameSite: 'lax' } }));
  } else {
    app.use(cookieSession({ name: NODE_SESSION_COOKIE['cookie-session'], keys: secrets, httpOnly: true, sameSite: 'lax' }));
  }
  const data = (req: express.Request) => req.session as unknown as SessionData;
  const view = (req: express.Request) => ({ user: data(req).user ?? null, cart: data(req).cart ?? [] });

  app.get('/', (_req, res) => void res.send(page(`${kind} demo`, { routes: ['/login', '/cart', '/whoami', '/logout'] })));
  app.get('/login', (req, res) => {
    data(req).user = String(req.query.user ?? 'ada');
    data(req).cart = [];
    res.send(page('logged in', view(req)));
  });
  app.get('/cart', (req, res) => {
    const s = data(req);
    if (!s.user) return void res.status(401).send(page('no session', null));
    s.cart = [...(s.cart ?? []), String(req.query.add ?? 'apple')];
    res.send(page('cart', view(req)));
  });
  app.get('/whoami', (req, res) => void res.send(page('whoami', view(req))));
  app.get('/logout', (req, res) => {
    if (kind === 'cookie-session') {
      // cookie-session's logout; the type is express-session's (both middlewares declare req.session).
      (req as unknown as { session: null }).session = null;
      return void res.send(page('logged out', null));
    }
    req.session.destroy(() => {
      res.clearCookie(NODE_SESSION_COOKIE['express-session'], { path: '/' });
      res.send(page('logged out', null));
    });
  });

  return listenOnLoopback(app);
}
