import { COOKIE_SIZE_LIMIT, cookieSize, isDeletion, setCookiesOf } from '../cookies';
import { signatureCookieName } from '../formats/cookie-session/session-cookie';
import { formatDuration } from '../duration';
import type { CookieTrack, Diagnostic, HttpTimelineEntry, JarTimelineEntry, SessionSettings } from './entries';
import { FLASK_TERMS } from '../formats/flask';
import { formatById, type KnownFormatId } from '../formats/registry';
import type { FrameworkTerms } from '../formats/types';

/**
 * What looks wrong with a request's session handling, each with the fix in
 * the framework's own terms: cookie-attribute fixes name the settings of the cookie's format
 * (SessionFormat.terms); checks of one framework's behaviour (Flask's key rotation, Flask-Session's
 * interfaces) name that framework's settings.
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const CACHEABLE_STATUS = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501]);

function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.endsWith('.localhost');
}

function flaskAnalysis(state: HttpTimelineEntry['sent']) {
  return state?.analysis.format === 'flask' ? state.analysis.verification : null;
}

/** The setting names of the cookie's framework: its format's, else those of a track's earlier values, else Flask's. */
function termsOf(format: KnownFormatId | 'unknown' | null | undefined): FrameworkTerms {
  return format && format !== 'unknown' ? formatById(format).terms : FLASK_TERMS;
}

function entryTerms(entry: HttpTimelineEntry): FrameworkTerms {
  return termsOf((entry.set?.state ?? entry.sent)?.analysis.format);
}

function isFlaskSession(entry: HttpTimelineEntry): boolean {
  return (entry.set?.state ?? entry.sent)?.analysis.format === 'flask-session';
}

type Framework = 'flask' | 'django' | 'express' | 'rails';

/** Whose behaviour the advice is about: Flask's (also for unknown cookies), Django's, Express's (its middlewares and JWTs), Rails'. */
function frameworkOf(entry: HttpTimelineEntry): Framework {
  switch ((entry.set?.state ?? entry.sent)?.analysis.format) {
    case 'django':
      return 'django';
    case 'express-session':
    case 'cookie-parser':
    case 'cookie-session':
    case 'jwt':
      return 'express';
    case 'rails':
      return 'rails';
    default:
      return 'flask';
  }
}

const PRIVATE_HOW: Record<Framework, string> = {
  flask: "e.g. in an after_request hook: response.headers['Cache-Control'] = 'private'",
  django: "e.g. with django.views.decorators.cache.never_cache or patch_cache_control(response, private=True)",
  express: "e.g. res.set('Cache-Control', 'private') in a middleware",
  rails: 'Rails sends private by default: check for expires_in … public: true or a proxy that rewrites it',
};

const SERVER_SIDE: Record<Framework, string> = {
  flask: 'with Flask-Session',
  django: "with a server-side SESSION_ENGINE (db, cache, cached_db)",
  express: 'with express-session and a store',
  rails: 'with a server-side session store (ActiveRecord or cache store)',
};

const VARY_HOW: Record<Exclude<Framework, 'flask'>, string> = {
  django: "Django's SessionMiddleware adds Vary: Cookie whenever the session is accessed: look for middleware or a proxy that strips it.",
  express: "Add res.vary('Cookie') (or Cache-Control: private) on responses that use the session.",
  rails: 'Keep Cache-Control: private on responses that use the session (Rails\' default), or add Vary: Cookie.',
};

/**
 * What a framework does by design that looks odd in a Timeline: a cookie re-sent unchanged, a
 * signature re-issued on its own. Said once per request, as information, in the framework's names.
 */
function frameworkBehaviour(entry: HttpTimelineEntry): Diagnostic[] {
  const { sent, set } = entry;
  const name = entry.cookieName ?? 'session';
  const format = (set?.state ?? sent)?.analysis.format;
  const out: Diagnostic[] = [];
  if (format === 'express-session' && set?.state && sent && sent.value === set.state.value) {
    out.push({
      code: 'express-session-resent',
      severity: 'info',
      title: 'express-session sent the same session cookie again',
      detail: 'express-session re-sends the cookie on every response with rolling: true, and otherwise only when the session was modified and the cookie has an expiry (cookie.maxAge), to push the expiry forward.',
      fix: 'Expected with rolling: true or a maxAge; without them the cookie is sent only when a session is created (saveUninitialized, or a first write).',
    });
  }
  if (format === 'django' && entry.event === 'refreshed' && entry.changes.length === 0) {
    out.push({
      code: 'django-saved-unchanged',
      severity: 'info',
      title: 'Django wrote the session without a change to it',
      detail: 'SessionMiddleware saves the session when it was modified, or on every request with SESSION_SAVE_EVERY_REQUEST = True; a view may also have set a key to the value it had.',
      fix: 'Expected with SESSION_SAVE_EVERY_REQUEST; otherwise look for code that writes to request.session on this path.',
    });
  }
  if (format === 'cookie-session' && !set) {
    const reissued = setCookiesOf(entry.exchange.responseHeaders).find((c) => c.name === signatureCookieName(name) && !isDeletion(c, entry.startedAt));
    if (reissued) {
      out.push({
        code: 'cookie-session-sig-reissued',
        severity: 'info',
        title: `cookie-session re-issued ${reissued.name} alone`,
        detail: `The request's ${reissued.name} matched a key other than keys[0], so cookie-session signed the same session again with keys[0] (the value of ${name} is unchanged).`,
        fix: 'Expected during a key rotation; drop the old key from keys once every client has been re-signed.',
      });
    }
  }
  return out;
}

/** Checks that need only this request and response. */
export function diagnoseExchange(entry: HttpTimelineEntry, settings: SessionSettings): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = entry.cookieName ?? 'session';
  const set = entry.set;
  const url = new URL(entry.url);
  const { cookieSettings: cookie } = entryTerms(entry);

  if (set && !set.deletion && set.cookie.secure && url.protocol === 'http:') {
    out.push(
      isLoopback(entry.host)
        ? {
            code: 'secure-over-http-loopback',
            severity: 'info',
            title: 'Secure cookie over plain HTTP on localhost',
            detail: `Chromium accepts Secure cookies from http://${entry.host} as a development exception; any other host over HTTP drops them.`,
            fix: `Fine for local development; make sure production serves HTTPS with ${cookie.secure} = True.`,
          }
        : {
            code: 'secure-over-http',
            severity: 'error',
            title: 'Secure cookie set over plain HTTP: the browser drops it',
            detail: `The response sets ${name} with the Secure attribute over http://, so the browser never stores it and every request starts a new session.`,
            fix: `Serve the app over HTTPS, or set ${cookie.secure} = False for plain-HTTP development.`,
          },
    );
  }
  if (set && !set.deletion && set.cookie.sameSite?.toLowerCase() === 'none' && !set.cookie.secure) {
    out.push({
      code: 'samesite-none-insecure',
      severity: 'error',
      title: 'SameSite=None without Secure: the browser rejects the cookie',
      detail: `Browsers refuse ${name} because SameSite=None requires the Secure attribute.`,
      fix: `With ${cookie.sameSite} = 'None' also set ${cookie.secure} = True (and serve HTTPS), or use 'Lax'.`,
    });
  }
  if (set && !set.deletion) {
    const size = cookieSize(set.cookie.name, set.cookie.value);
    if (size > COOKIE_SIZE_LIMIT) {
      out.push({
        code: 'cookie-too-large',
        severity: 'error',
        title: `Session cookie is ${size} bytes, over the ${COOKIE_SIZE_LIMIT}-byte limit`,
        detail: `Browsers ignore cookies this large, so the session silently stops saving.${frameworkOf(entry) === 'flask' ? ' Werkzeug only logs a warning.' : ''}`,
        fix: `Keep less in the session (ids, not objects), or move the data server-side ${SERVER_SIDE[frameworkOf(entry)]}.`,
      });
    }
  }
  if (entry.sentValues.length > 1) {
    out.push({
      code: 'duplicate-cookie',
      severity: 'warning',
      title: `The request carries ${entry.sentValues.length} cookies named ${name}`,
      detail: `Cookies with the same name but a different Domain or Path are all sent; ${frameworkOf(entry) === 'flask' ? 'Flask reads only the first' : 'the app reads one of them'}, which may be the stale one. On ${entry.host}, apps on different ports also share cookies.`,
      fix: `Give each app its own ${cookie.name}, or make ${cookie.domain} / ${cookie.path} agree so only one cookie exists; clear the stale one.`,
    });
  }

  if (flaskAnalysis(entry.sent) && set && !set.deletion && set.state?.analysis.format === 'flask') {
    const payload = set.state.analysis.verification.decoded.payload;
    const permanent = payload?.ok && payload.value.value.type === 'dict' && payload.value.value.entries.get('_permanent')?.type === 'bool';
    const persistent = set.cookie.expires !== undefined || set.cookie.maxAge !== undefined;
    if (permanent && !persistent) {
      out.push({
        code: 'permanent-without-expiry',
        severity: 'warning',
        title: 'Permanent session sent as a browser-session cookie',
        detail: 'The payload is marked permanent (_permanent) but the cookie has no Expires or Max-Age, so the browser forgets it when it closes.',
        fix: 'Check for middleware or a proxy rewriting Set-Cookie; Flask adds Expires = now + PERMANENT_SESSION_LIFETIME for permanent sessions.',
      });
    } else if (payload?.ok && !permanent && persistent) {
      out.push({
        code: 'expiry-without-permanent',
        severity: 'info',
        title: 'Non-permanent session with a persistent cookie',
        detail: 'The cookie has an expiry although the session is not permanent (no _permanent key): something other than Flask sets the lifetime.',
        fix: 'Set session.permanent = True where the session is created if it should outlive the browser, and let PERMANENT_SESSION_LIFETIME decide.',
      });
    }
  }

  const touchesSession = set !== null || (entry.sent !== null && entry.varyCookie);
  const cacheControl = (entry.cacheControl ?? '').toLowerCase();
  if (touchesSession && ['GET', 'HEAD'].includes(entry.method) && CACHEABLE_STATUS.has(entry.status) && !/\b(private|no-store|no-cache)\b/.test(cacheControl)) {
    const explicit = /\b(public|s-maxage|max-age=[1-9])/.test(cacheControl);
    out.push({
      code: 'cacheable-session-response',
      severity: explicit ? 'warning' : 'info',
      title: explicit ? 'Cacheable response that depends on the session' : 'Session-dependent response without Cache-Control: private',
      detail: explicit
        ? `Cache-Control: ${entry.cacheControl} lets shared caches store this response, which ${set ? 'sets' : 'reads'} the session: other users may receive it.`
        : `The response ${set ? 'sets' : 'reads'} the session but does not forbid shared caching; a CDN or proxy with heuristic caching may serve it to others.`,
      fix: `Send Cache-Control: private (or no-store) on responses that use the session, ${PRIVATE_HOW[frameworkOf(entry)]}.`,
    });
  }
  const framework = frameworkOf(entry);
  if (set && !entry.varyCookie) {
    const flask = framework === 'flask';
    out.push({
      code: 'missing-vary-cookie',
      severity: flask ? 'warning' : 'info',
      title: 'Sets the session cookie without Vary: Cookie',
      detail: !flask
        ? 'Without Vary: Cookie (or Cache-Control: private), a shared cache may serve this response, and the cookie it sets, to other users.'
        : isFlaskSession(entry)
          ? 'Flask-Session before 0.7 never adds Vary: Cookie, so caches may mix up users.'
          : 'Flask before 2.2.5 / 2.3.2 omitted Vary: Cookie on refresh-only writes and deletions (CVE-2023-30861), so caches may mix up users.',
      fix: !flask
        ? VARY_HOW[framework]
        : isFlaskSession(entry)
          ? 'Upgrade Flask-Session to 0.7 or later, or add Vary: Cookie in an after_request hook.'
          : 'Upgrade Flask to 2.2.5, 2.3.2 or later.',
    });
  }
  out.push(...frameworkBehaviour(entry));

  for (const [state, role] of [
    [entry.sent, 'sent'],
    [set?.state ?? null, 'set'],
  ] as const) {
    // Flask's rotation (SECRET_KEY_FALLBACKS) and its 3.1.0 bug; other frameworks' rotations are noted in their verdicts.
    const v = state?.analysis.format === 'flask' ? state.analysis.verification : null;
    if (v && v.matchedSecretIndex !== null && v.matchedSecretIndex > 0 && v.signature !== 'invalid') {
      out.push({
        code: 'fallback-key',
        severity: role === 'set' ? 'warning' : 'info',
        title: `The ${role} cookie verifies only with fallback key ${v.matchedSecretIndex + 1}`,
        detail:
          role === 'set'
            ? 'The server is signing new cookies with a fallback key, not SECRET_KEY. Flask 3.1.0 does exactly that (GHSA-4grg-w6v8-c28g): its cookies break as soon as the fallback is removed.'
            : 'Key rotation in progress: this cookie predates the current SECRET_KEY. Flask re-signs it with SECRET_KEY the next time the session is written.',
        fix:
          role === 'set'
            ? 'Upgrade to Flask 3.1.1 or later; check that SECRET_KEY is the newest key and SECRET_KEY_FALLBACKS the old ones.'
            : 'Keep the old key in SECRET_KEY_FALLBACKS until such cookies have expired (PERMANENT_SESSION_LIFETIME), then remove it.',
      });
    }
  }

  const sent = flaskAnalysis(entry.sent);
  if (sent && entry.sent) {
    const age = entry.sent.ageSeconds;
    if (entry.sent.verdict === 'expired' && age !== null) {
      out.push({
        code: 'expired-cookie-sent',
        severity: 'warning',
        title: 'The browser still sends a cookie Flask considers expired',
        detail: `Signed ${formatDuration(age)} before this request, longer than PERMANENT_SESSION_LIFETIME (${formatDuration(settings.lifetimeSeconds)}): Flask silently starts an empty session. The cookie itself outlives its signature (a browser-session cookie, or an Expires beyond the lifetime).`,
        fix: 'Expected after a long idle time; if it happens sooner, check PERMANENT_SESSION_LIFETIME, SESSION_REFRESH_EACH_REQUEST and the server clock.',
      });
    } else if (entry.sent.verdict === 'future_timestamp') {
      out.push({
        code: 'future-timestamp',
        severity: 'error',
        title: 'Cookie signed in the future: rejected',
        detail: 'itsdangerous 2.0+ rejects signatures dated after the server clock: the servers behind the load balancer disagree about the time.',
        fix: 'Synchronise server clocks (NTP).',
      });
    } else if (sent.verdict === 'bad_signature') {
      out.push({
        code: 'bad-signature',
        severity: 'error',
        title: 'Cookie signature does not match the secret(s) you gave',
        detail: 'If the server uses the same secret, it silently ignores this cookie and starts an empty session ("I got logged out").',
        fix: 'Check that every worker and instance uses the same SECRET_KEY; when rotating, keep the old key in SECRET_KEY_FALLBACKS (Flask ≥ 3.1).',
      });
    } else if (sent.verdict === 'too_large') {
      out.push({
        code: 'payload-too-costly',
        severity: 'warning',
        title: 'Session payload refused: too costly to decode',
        detail: `${sent.reason?.message ?? 'The payload is too large'}. Nested Markup or tuple tags grow exponentially when decoded: Flask itself spends seconds and gigabytes on such a cookie (a denial of service if an attacker can get it signed).`,
        fix: 'Find what stored nested Markup/tuple values in the session; never put untrusted structures in it. Clear the cookie.',
      });
    } else if (sent.verdict === 'bad_payload' || (entry.status >= 500 && sent.decoded.payload?.ok === false)) {
      out.push({
        code: 'bad-payload',
        severity: 'error',
        title: 'Session cookie with an undecodable payload',
        detail: `${sent.reason?.code === 'ERR_NESTING_DEPTH' ? sent.reason.message : sent.decoded.payload?.ok === false ? sent.decoded.payload.error.message : 'The payload cannot be decoded'}. If the signature is valid, Flask raises BadPayload and answers HTTP 500${entry.status >= 500 ? ' — as it did here' : ''}.`,
        fix: "Something signed this value with your key outside Flask's serializer (or a custom serializer changed); clear the cookie and find the writer.",
      });
    }
  }

  out.push(...diagnoseServer(entry));
  // A guess from the cookie alone; with the companion's report, diagnoseServer knows.
  if (entry.server === null && entry.event === 'read' && entry.sent && !['GET', 'HEAD', 'OPTIONS'].includes(entry.method) && !isFlaskSession(entry)) {
    out.push({
      code: 'write-not-saved',
      severity: 'info',
      title: `${entry.method} read the session but did not save it`,
      detail: 'If this view changed the session, Flask did not notice: only top-level assignments mark it modified; appending to a list or editing a nested dict in place does not.',
      fix: 'After changing nested values, set session.modified = True (or reassign the top-level key).',
    });
  }
  return out;
}

/** Why an unmodified session was written, from the companion's cookie reason. */
function savedAnywayBecause(reason: string): string {
  switch (reason) {
    case 'refresh_each_request':
      return 'the session is permanent and SESSION_REFRESH_EACH_REQUEST is on';
    case 'should_set_cookie_override':
      return "the session interface's should_set_cookie says so";
    case 'interface_ignores_should_set_cookie':
      return 'this session interface saves on every request, whatever SESSION_REFRESH_EACH_REQUEST says (Flask-Session before 0.4 does)';
    default:
      return 'the session interface saved it';
  }
}

/** From the companion's report: changes the server made but did not save, and a report that could not be read. */
function diagnoseServer(entry: HttpTimelineEntry): Diagnostic[] {
  const server = entry.server;
  if (server === null) return [];
  if (!server.ok) {
    const detail =
      server.kind === 'server_error'
        ? `The companion could not observe this request on the server: ${server.error}.`
        : server.kind === 'unsupported_version'
          ? `The header is format version ${server.version}; this Session Lens reads version 1.`
          : `The header could not be read: ${server.error.message}.`;
    return [
      {
        code: 'companion-report-unreadable',
        severity: 'warning',
        title: 'X-Session-Lens header not usable',
        detail,
        fix: 'Use the flask_session_lens companion that ships with this Session Lens; see the server log for its warnings.',
      },
    ];
  }
  const report = server.report;
  if (!report.changedWithoutModified) return [];
  const keys = report.changedKeys?.length ? report.changedKeys.map((k) => `'${k}'`).join(', ') : 'a value';
  const saved = report.store ? report.store.write === 'written' : report.cookie.action === 'written';
  return [
    saved
      ? {
          code: 'change-saved-by-refresh',
          severity: 'info',
          title: 'Changed in place, saved only because the session is refreshed',
          detail: `The view changed ${keys} in place without assigning to the session, so session.modified stayed False; it was saved anyway because ${savedAnywayBecause(report.cookie.reason)}.`,
          fix: 'Set session.modified = True after changing nested values: with SESSION_REFRESH_EACH_REQUEST off, or a non-permanent session, this change would be lost.',
        }
      : {
          code: 'change-not-saved',
          severity: 'warning',
          title: 'The session changed on the server but was not saved',
          detail: `The view changed ${keys} in place without assigning to the session, so session.modified stayed False and ${report.store ? 'the store was not written' : 'no cookie was written'} (${report.cookie.reason.replaceAll('_', ' ')}). The next request sees the old session.`,
          fix: 'After changing nested values, set session.modified = True (or reassign the top-level key).',
        },
  ];
}

const LOGIN_PATH = /(^|\/)(log-?in|sign-?in|auth(enticate)?|session\/new)(\/|$|\?)/i;

/** Checks that need what happened before: churn, fixation, port collisions. */
export function diagnoseHistory(entry: HttpTimelineEntry, track: CookieTrack): Diagnostic[] {
  const out: Diagnostic[] = [];
  const name = entry.cookieName ?? 'session';
  const { cookieSettings: cookie } = termsOf(track.format);
  if (entry.set && track.portsSetting.size > 1 && isLoopback(entry.host)) {
    out.push({
      code: 'port-collision',
      severity: 'warning',
      title: `Apps on different ports of ${entry.host} overwrite each other's ${name} cookie`,
      detail: `Cookies ignore ports: ports ${[...track.portsSetting].join(', ')} all set ${name} on ${entry.host}, so each app logs the other out.`,
      fix: `Give each app its own ${cookie.name}.`,
    });
  }
  if (track.replacedStreak >= 3 && entry.sessionId === 'changed') {
    out.push({
      code: 'session-id-churn',
      severity: 'error',
      title: 'A new session id on every request',
      detail: `The last ${track.replacedStreak} responses each replaced the id the browser sent: the server cannot find or accept it.`,
      fix: 'Check that the session store keeps data (SESSION_TYPE, the Redis URL and SESSION_KEY_PREFIX), that SESSION_USE_SIGNER and SECRET_KEY are the same on every worker, and that the store is not flushed.',
    });
  } else if (track.createdStreak >= 3) {
    out.push({
      code: 'session-churn',
      severity: 'error',
      title: 'A new session on every request: the browser does not keep the cookie',
      detail: `The last ${track.createdStreak} responses each created ${name} but the following request did not send it back.`,
      fix: `Look at the cookie attributes: Secure over plain HTTP, SameSite=None without Secure, a Domain or Path that does not match (${cookie.domain}, ${cookie.path}), or a cookie over the size limit.`,
    });
  }
  const sentId = entry.sent?.analysis.format === 'flask-session' ? entry.sent.analysis.verification.decoded.sid : null;
  if (sentId !== null && entry.sessionId === 'kept' && !track.issuedIds.has(sentId) && entry.sent?.analysis.format === 'flask-session' && entry.sent.analysis.verification.decoded.sidKind === 'other') {
    out.push({
      code: 'unknown-id-adopted',
      severity: 'warning',
      title: 'The server adopted a session id it never issued',
      detail: `The browser sent ${JSON.stringify(sentId.slice(0, 40))}, an id of no Flask-Session shape, and the server kept it: anyone can choose a victim's session id (session fixation). Flask-Session before 0.6 behaves like this.`,
      fix: 'Upgrade Flask-Session to 0.6 or later, or enable SESSION_USE_SIGNER so only ids the server signed are accepted.',
    });
  }
  if (isFlaskSession(entry) && entry.sent && LOGIN_PATH.test(entry.path) && entry.method !== 'GET' && (entry.sessionId === 'kept' || (!entry.set && entry.event !== 'rejected'))) {
    out.push({
      code: 'session-fixation',
      severity: 'warning',
      title: 'Session id kept across login',
      detail: 'The id the browser had before logging in is still valid afterwards: whoever planted or saw it shares the logged-in session.',
      fix: 'Issue a new id at login: Flask-Session ≥ 0.6 has app.session_interface.regenerate(session).',
    });
  }
  return out;
}

export function diagnoseJar(entry: JarTimelineEntry, track: CookieTrack): Diagnostic[] {
  const { cookieSettings: cookie } = termsOf(track.format);
  switch (entry.event) {
    case 'expired':
      return [
        {
          code: 'cookie-expired',
          severity: 'info',
          title: `The browser expired ${entry.cookieName}`,
          detail: 'The cookie reached its Expires / Max-Age; the next request starts a new session.',
          fix: 'Lengthen PERMANENT_SESSION_LIFETIME, or keep SESSION_REFRESH_EACH_REQUEST on so active users keep a fresh expiry.',
        },
      ];
    case 'evicted':
      return [
        {
          code: 'cookie-evicted',
          severity: 'warning',
          title: `The browser evicted ${entry.cookieName}`,
          detail: 'Browsers evict cookies when a site holds too many (about 180 per domain in Chromium) or too much.',
          fix: 'Set fewer cookies on this domain.',
        },
      ];
    case 'overwritten':
      return [
        {
          code: 'cookie-written-outside-responses',
          severity: 'warning',
          title: `${entry.cookieName} was changed outside the responses seen here`,
          detail: 'Page script (document.cookie), another tab, an extension or DevTools wrote the cookie. Scripts can only do so when the cookie is not HttpOnly.',
          fix: `Keep ${cookie.httpOnly} = True (the default) and find the script that writes the cookie.`,
        },
      ];
    case 'removed':
      return [
        {
          code: 'cookie-removed-outside-responses',
          severity: 'info',
          title: `${entry.cookieName} was removed outside the responses seen here`,
          detail: 'Page script, another tab, an extension or DevTools deleted the cookie.',
          fix: 'If nobody cleared it on purpose, look for client-side code that logs out by deleting cookies.',
        },
      ];
  }
}
