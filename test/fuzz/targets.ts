import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import * as core from '../../src/core';
import { DEFAULT_SETTINGS, SessionLensError, TAG_KEYS, TimelineBuilder, pyEquals, type CapturedExchange, type PyValue } from '../../src/core';
import * as payloadTree from '../../src/extension/panel/state/payload-tree';
import * as timelineModel from '../../src/extension/panel/timeline/model';
import * as pyjson from '../../src/core/python/pyjson';
import * as companion from '../../src/core/timeline/companion-report';
import * as jwt from '../../src/core/formats/jwt';
import * as djangoFormat from '../../src/core/formats/django';
import * as expressSession from '../../src/core/formats/express-session';
import * as cookieParser from '../../src/core/formats/cookie-parser';
import * as cookieSession from '../../src/core/formats/cookie-session';
import * as rails from '../../src/core/formats/rails';
import { MAX_CACHED_DECODE_CHARS, cachedChars } from '../../src/core/formats/flask/cookie';
import { pyValue } from '../support/arbitraries';
import { HOSTILE_SECRET, MARKUP_PAYLOAD, amplifyingCases, linearCases, nest, rawFlaskCookie } from '../support/hostile';

/**
 * Fuzz targets: every decoder and renderer fed random and mutated inputs. A target throws
 * FuzzFailure when an invariant breaks; anything else escaping the API is a failure too.
 * Budgets (time, memory) are the runner's business, not the targets'.
 */

export class FuzzFailure extends Error {}

function check(condition: boolean, message: () => string): void {
  if (!condition) throw new FuzzFailure(message());
}

/** Calls an API that may refuse with a SessionLensError, and nothing else. */
function refusable<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch (error) {
    if (error instanceof SessionLensError) return null;
    throw error;
  }
}

// ------------------------------------------------------------------ timing

/**
 * The budget of issue 7 is per call of a decoder or renderer, not per fuzz input (which calls a
 * dozen of them): every API a target calls goes through `timed`, and the runner reads the
 * slowest call of each input here, by wall time, with the CPU time it took.
 */
export const slowestCall = { ms: 0, cpuMs: 0, api: '' };

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any function's own signature is kept
function timed<F extends (...args: any[]) => any>(api: string, fn: F): F {
  return ((...args: Parameters<F>): ReturnType<F> => {
    const started = performance.now();
    const cpuStarted = cpuMs();
    try {
      return fn(...args) as ReturnType<F>;
    } finally {
      const ms = performance.now() - started;
      if (ms > slowestCall.ms) Object.assign(slowestCall, { ms, cpuMs: cpuMs() - cpuStarted, api });
    }
  }) as F;
}

const analyzeCookie = timed('analyzeCookie', core.analyzeCookie);
const decodeFlaskCookie = timed('decodeFlaskCookie', core.decodeFlaskCookie);
const detectFormats = timed('detectFormats', core.detectFormats);
const findSessionCandidates = timed('findSessionCandidates', core.findSessionCandidates);
const parseCookieHeader = timed('parseCookieHeader', core.parseCookieHeader);
const parsePythonJson = timed('parsePythonJson', core.parsePythonJson);
const parseSetCookie = timed('parseSetCookie', core.parseSetCookie);
const parseTypedJson = timed('parseTypedJson', core.parseTypedJson);
const prettyRepr = timed('prettyRepr', core.prettyRepr);
const pyRepr = timed('pyRepr', core.pyRepr);
const reprPreview = timed('reprPreview', core.reprPreview);
const signFlaskCookie = timed('signFlaskCookie', core.signFlaskCookie);
const timelineToHar = timed('timelineToHar', core.timelineToHar);
const timelineToJson = timed('timelineToJson', core.timelineToJson);
const untag = timed('untag', core.untag);
const verifyFlaskCookie = timed('verifyFlaskCookie', core.verifyFlaskCookie);
const verifyFlaskSessionId = timed('verifyFlaskSessionId', core.verifyFlaskSessionId);
const writePythonJson = timed('writePythonJson', core.writePythonJson);
const writeTypedJson = timed('writeTypedJson', core.writeTypedJson);
const payloadRows = timed('payloadRows', payloadTree.payloadRows);
const defaultExpanded = timed('defaultExpanded', payloadTree.defaultExpanded);
const payloadLines = timed('payloadLines', timelineModel.payloadLines);
const parseJsonFast = timed('parseJsonFast', pyjson.parseJsonFast);
const parsePythonJsonExact = timed('parsePythonJsonExact', pyjson.parsePythonJsonExact);
const decodeCompanionHeader = timed('decodeCompanionHeader', companion.decodeCompanionHeader);
const decodeJwt = timed('decodeJwt', jwt.decodeJwt);
const signJwt = timed('signJwt', jwt.signJwt);
const verifyJwtDecoded = timed('verifyJwtDecoded', jwt.verifyJwtDecoded);
const decodeDjangoCookie = timed('decodeDjangoCookie', djangoFormat.decodeDjangoCookie);
const signDjangoCookie = timed('signDjangoCookie', djangoFormat.signDjangoCookie);
const verifyDjangoDecoded = timed('verifyDjangoDecoded', djangoFormat.verifyDjangoDecoded);
const decodeExpressSession = timed('decodeExpressSession', expressSession.decodeExpressSession);
const verifyExpressSessionDecoded = timed('verifyExpressSessionDecoded', expressSession.verifyExpressSessionDecoded);
const decodeCookieParser = timed('decodeCookieParser', cookieParser.decodeCookieParser);
const verifyCookieParserDecoded = timed('verifyCookieParserDecoded', cookieParser.verifyCookieParserDecoded);
const signCookieParserValue = timed('signCookieParserValue', cookieParser.signCookieParserValue);
const decodeCookieSession = timed('decodeCookieSession', cookieSession.decodeCookieSession);
const verifyCookieSessionDecoded = timed('verifyCookieSessionDecoded', cookieSession.verifyCookieSessionDecoded);
const signCookieSession = timed('signCookieSession', cookieSession.signCookieSession);
const decodeRailsCookie = timed('decodeRailsCookie', rails.decodeRailsCookie);
const verifyRailsDecoded = timed('verifyRailsDecoded', rails.verifyRailsDecoded);
const signRailsCookie = timed('signRailsCookie', rails.signRailsCookie);
const addExchange = timed('TimelineBuilder.addExchange', (builder: TimelineBuilder, exchange: CapturedExchange) => builder.addExchange(exchange));

// ------------------------------------------------------------------ randomness

/** Small, fast, seeded PRNG (mulberry32): fast-check is too slow for a million mutations. */
export class Rng {
  constructor(private state: number) {}

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const ODD_CHARS = ['.', '=', '"', '\\', ';', ' ', '\x00', '\x1b', '\u202e', '\ud800', '😀', 'é', '%', '+', '/', '{', '}'];

function randomChar(rng: Rng): string {
  return rng.next() < 0.8 ? B64URL[rng.int(64)]! : rng.pick(ODD_CHARS);
}

/** 1–4 edits: flips, insertions, deletions, duplicated ranges, swapped segments, splices. */
export function mutate(rng: Rng, input: string, pool: readonly string[]): string {
  let s = input;
  for (let edits = 1 + rng.int(4); edits > 0; edits--) {
    const at = rng.int(s.length + 1);
    switch (rng.int(8)) {
      case 0:
        s = s.slice(0, at) + randomChar(rng) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + Array.from({ length: 1 + rng.int(8) }, () => randomChar(rng)).join('') + s.slice(at);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1 + rng.int(16));
        break;
      case 3: {
        const len = 1 + rng.int(32);
        s = s.slice(0, at) + s.slice(at, at + len).repeat(2 + rng.int(3)) + s.slice(at);
        break;
      }
      case 4: {
        const parts = s.split('.');
        const i = rng.int(parts.length);
        const j = rng.int(parts.length);
        [parts[i], parts[j]] = [parts[j]!, parts[i]!];
        s = parts.join('.');
        break;
      }
      case 5: {
        const other = rng.pick(pool);
        s = s.slice(0, at) + other.slice(rng.int(other.length + 1));
        break;
      }
      case 6:
        s = s.slice(0, at);
        break;
      default:
        s = rng.next() < 0.5 ? `"${s}"` : s.replaceAll('.', rng.pick(['..', '', '.', '=.']));
    }
  }
  return s;
}

const JSON_FRAGMENTS = [
  '{', '}', '[', ']', ',', ':', '"', '""', '"a"', '1', '-0.0', '1e400', 'NaN', '-Infinity', 'null', 'true', '9'.repeat(30), '"\\ud800"', '"\\u00e9"',
  '"\\"', ...TAG_KEYS.map((k) => `{"${k}":`), '"__proto__"', '"constructor"', '"$type"', '"<img src=x onerror=alert(1)>"', '"Thu, 29 Feb 2024 12:34:56 GMT"',
  '"12345678123456781234567812345678"', '"AAEC"', "\"'\\\"\"",
];

/** JSON-ish text: mostly valid tagged JSON, often nested and repeated, sometimes broken. */
export function randomJsonText(rng: Rng): string {
  if (rng.next() < 0.3) {
    const open = rng.pick(['{" m":[', '{" m":{" t":', '{" t":{" m":', '[', '{"k":', '{" di":{"x__":', '{" t":[']);
    const close = open.startsWith('[') ? ']' : open.endsWith('[') ? ']}' : '}'.repeat((open.match(/\{/g) ?? []).length);
    const depth = rng.pick([1, 2, 5, 12, 30, 200, 500, 1100]);
    return `{"a":${nest(open, close, depth, rng.pick(['"x"', '1', `"${'y'.repeat(rng.int(2000))}"`, '[]', "\"'\\\"\""]))}}`;
  }
  const parts: string[] = [];
  for (let n = rng.int(40); n > 0; n--) parts.push(rng.pick(JSON_FRAGMENTS));
  const text = parts.join('');
  return rng.next() < 0.5 ? `{"a":${text}}` : text;
}

// ------------------------------------------------------------------ seeds

function stringsIn(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (value.length >= 16 && value.length <= 8192 && value.includes('.')) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) stringsIn(item, out);
  } else if (value && typeof value === 'object') {
    for (const item of Object.values(value)) stringsIn(item, out);
  }
}

/** Real cookies: the reference vectors, cookies the core signs from random payloads, the hostile cases. */
export function seedCookies(): string[] {
  const dir = join(import.meta.dirname, '..', 'fixtures', 'vectors');
  const found: string[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) stringsIn(JSON.parse(readFileSync(join(dir, file), 'utf8')), found);
  const recognised = found.filter((s) => detectFormats('session', s)[0]!.format !== 'unknown');
  const signed = fc.sample(pyValue, { numRuns: 200, seed: 7 }).flatMap((value) => {
    const payload: PyValue = { type: 'dict', entries: new Map([['v', value]]) };
    const result = signFlaskCookie(payload, { secret: { text: HOSTILE_SECRET }, timestamp: 1_764_086_400 });
    return result.ok ? [result.value.cookie] : [];
  });
  const hostile = [...amplifyingCases(), ...linearCases()].map((c) => rawFlaskCookie(c.jsonText));
  return [...new Set([...recognised, ...signed, ...hostile, rawFlaskCookie(MARKUP_PAYLOAD)])];
}

// ------------------------------------------------------------------ targets

export interface FuzzTarget {
  name: string;
  /** Makes one input. */
  input(rng: Rng): string;
  /** Runs every API of the target on it, checking the invariants. */
  run(input: string): void;
}

const VERDICTS = new Set(['valid', 'bad_signature', 'expired', 'future_timestamp', 'bad_payload', 'malformed', 'too_large', 'unverified']);

/** Every renderer of a decoded payload, as the CLI and the panel use them. */
function renderAll(value: PyValue): void {
  const full = refusable(() => pyRepr(value));
  const preview = reprPreview(value, 160);
  if (full !== null) check(full.length <= 160 ? preview === full : preview === `${full.slice(0, 159)}…`, () => `reprPreview disagrees with repr: ${preview}`);
  prettyRepr(value, { indent: '  ' });
  refusable(() => writeTypedJson(value));
  refusable(() => writeTypedJson(value, '  '));
  payloadRows(value, defaultExpanded(value));
  payloadLines(value);
}

function flaskCookieTarget(pool: readonly string[]): FuzzTarget {
  return {
    name: 'flask-cookie',
    input: (rng) => (rng.next() < 0.15 ? rawFlaskCookie(randomJsonText(rng)) : mutate(rng, rng.pick(pool), pool)),
    run(cookie) {
      const decoded = decodeFlaskCookie(cookie);
      // Served from the cache, unless the decode is too big to be cached at all.
      if (cachedChars(decoded) <= MAX_CACHED_DECODE_CHARS) check(decodeFlaskCookie(cookie) === decoded, () => 'a second decode of the same value was not served from the cache');
      const verified = verifyFlaskCookie(cookie, { secrets: [{ text: HOSTILE_SECRET }, { text: 'other' }], maxAge: 2_678_400, now: 1_764_086_500 });
      check(VERDICTS.has(verified.verdict), () => `unknown verdict ${verified.verdict}`);
      check(verifyFlaskCookie(cookie, { secrets: [] }).signature === 'not_checked', () => 'a signature was checked without a secret');
      detectFormats('session', cookie);
      analyzeCookie('session', cookie, { secrets: [{ text: HOSTILE_SECRET }], fallbackFormat: 'flask' });
      if (decoded.payload?.ok) {
        renderAll(decoded.payload.value.value);
        // The exact path: the untagged value equals untagging the parsed JSON again.
        const again = refusable(() => untag(parsePythonJson(decoded.payload!.ok ? decoded.payload!.value.jsonText : '')));
        check(again !== null && pyEquals(again, decoded.payload.value.value), () => 'untagging is not deterministic');
      }
    },
  };
}

const pyJsonTarget: FuzzTarget = {
  name: 'python-json',
  input: (rng) => (rng.next() < 0.5 ? randomJsonText(rng) : mutate(rng, randomJsonText(rng), JSON_FRAGMENTS)),
  run(text) {
    const fast = parseJsonFast(text);
    const value = refusable(() => parsePythonJsonExact(text).value);
    if (fast) check(value !== null && pyEquals(fast.value, value), () => `the JSON fast path disagrees with the exact reader on ${text.slice(0, 80)}`);
    if (value === null) return;
    const written = refusable(() => writePythonJson(value, { sortKeys: false, ensureAscii: true }));
    if (written !== null) check(pyEquals(parsePythonJson(written), value), () => `round trip changed ${text.slice(0, 80)}`);
    const untagged = refusable(() => untag(value));
    if (untagged) renderAll(untagged);
  },
};

const typedJsonTarget: FuzzTarget = {
  name: 'typed-json',
  input(rng) {
    const text = rng.next() < 0.5 ? randomJsonText(rng) : '{"$type":"' + rng.pick(['float', 'datetime', 'int', 'tuple', 'bytes', 'uuid', 'markup', 'dict', 'constructor', '__proto__']) + '",' + randomJsonText(rng).slice(1);
    return rng.next() < 0.5 ? text : mutate(rng, text, JSON_FRAGMENTS);
  },
  run(text) {
    const value = refusable(() => parseTypedJson(text));
    if (value === null) return;
    const written = refusable(() => writeTypedJson(value));
    if (written !== null) check(pyEquals(parseTypedJson(written), value), () => `$type round trip changed ${text.slice(0, 80)}`);
    refusable(() => signFlaskCookie(value.type === 'dict' ? value : { type: 'dict', entries: new Map([['v', value]]) }, { secret: { text: 'k' }, timestamp: 0 }));
  },
};

function flaskSessionTarget(pool: readonly string[]): FuzzTarget {
  const ids = ['f47ac10b-58cc-4372-a567-0e02b2c3d479', 'Q3xRk1mN8pT2vW9yZ4bC6dF0hJ5kL7nP3qS1uX8wY2e', ...pool.filter((s) => s.length < 120)];
  return {
    name: 'flask-session-id',
    input: (rng) => mutate(rng, rng.pick(ids), ids),
    run(value) {
      const verified = verifyFlaskSessionId(value, { secrets: [{ text: HOSTILE_SECRET }] });
      check(VERDICTS.has(verified.verdict), () => `unknown verdict ${verified.verdict}`);
      analyzeCookie('session', value, { format: 'flask-session' });
    },
  };
}

/** What an export says of itself and of any exchange (format names, keys, diagnostic codes and titles). */
const EXPORT_WORDS = (() => {
  const builder = new TimelineBuilder(DEFAULT_SETTINGS);
  const plain = { seq: 1, startedAt: 0, method: 'GET', url: 'http://127.0.0.1:5000/', status: 200, requestHeaders: [], responseHeaders: [] };
  return timelineToJson([builder.addExchange(plain)]) + JSON.stringify(['HttpOnly', 'Secure', 'SameSite', 'Partitioned', 'session-churn', 'session-fixation', 'session-id-churn']);
})();

function headersTarget(pool: readonly string[]): FuzzTarget {
  return {
    name: 'headers-and-timeline',
    input(rng) {
      const pairs = Array.from({ length: rng.next() < 0.02 ? 300 : rng.pick([1, 2, 3, 8, 20]) }, (_, i) => `${rng.next() < 0.2 ? 'session' : `c${i}`}=${rng.next() < 0.3 ? rng.pick(pool) : randomChar(rng)}`);
      const attrs = rng.pick(['; Path=/', '; Max-Age=0', '; Expires=Thu, 01 Jan 1970 00:00:00 GMT', '; HttpOnly; Secure; SameSite=None', '; Domain=.x', ';;=;', '']);
      return mutate(rng, `${pairs.join('; ')}\n${rng.pick(pairs)}${attrs}`, pool);
    },
    run(text) {
      const [cookieHeader = '', setCookie = ''] = text.split('\n');
      parseCookieHeader(cookieHeader);
      parseSetCookie(setCookie);
      const exchange: CapturedExchange = {
        seq: 1,
        startedAt: 1_764_086_400_000,
        method: 'GET',
        url: 'http://127.0.0.1:5000/',
        status: 200,
        requestHeaders: [{ name: 'Cookie', value: cookieHeader }],
        responseHeaders: [
          { name: 'Set-Cookie', value: setCookie },
          { name: 'Vary', value: 'Cookie' },
        ],
      };
      findSessionCandidates([exchange], [], { nowMs: 1_764_086_400_000 });
      const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: HOSTILE_SECRET }] });
      const entry = addExchange(builder, exchange);
      const entries = [entry, addExchange(builder, { ...exchange, seq: 2 })];
      const redacted = timelineToJson(entries);
      // Names, attribute keywords and the export's own words stay by design: a value inside one of them proves nothing.
      const kept = [...parseCookieHeader(cookieHeader).map((c) => c.name), ...setCookie.split(/[;=]/).map((t) => t.trim())];
      for (const { value } of parseCookieHeader(cookieHeader)) {
        if (value.length < 8 || !/^[\w.-]*$/.test(value) || EXPORT_WORDS.includes(value) || kept.some((k) => k.includes(value))) continue;
        check(!redacted.includes(value), () => `an export leaked a cookie value: ${value.slice(0, 40)}`);
      }
      timelineToHar(entries);
    },
  };
}

const COMPANION_SEED =
  '{"v":1,"interface":"RedisSessionInterface","session_type":"redis","cookie_name":"session","key_prefix":"session:","refresh_each_request":true,"request_had_cookie":true,"null_session":false,"new":false,"accessed":true,"modified":false,"permanent":true,"opened":{"_permanent":true,"cart":[]},"saved":{"_permanent":true,"cart":["y"],"s":{"$type":"unrepresentable","python_type":"builtins.set","repr":"{1}","reason":"no $type form"},"k":{"$type":"redacted","reason":"r"}},"changed":true,"changed_keys":["cart"],"changed_without_modified":true,"cookie":{"action":"written","reason":"refresh_each_request","should_set_cookie":true,"should_set_cookie_overridden":false,"set_by_view":false},"store":{"key":"session:a","key_changed":false,"write":"written","ttl":10},"truncated":false,"truncated_fields":[]}';

/** The companion's X-Session-Lens header: any text, base64url of mutated reports; never throws. */
const companionTarget: FuzzTarget = {
  name: 'companion-header',
  input(rng) {
    const json = rng.next() < 0.5 ? mutate(rng, COMPANION_SEED, JSON_FRAGMENTS) : randomJsonText(rng);
    const header = Buffer.from(json, 'utf8').toString('base64url');
    return rng.next() < 0.8 ? header : mutate(rng, header, [B64URL]);
  },
  run(header) {
    let verdict;
    try {
      verdict = decodeCompanionHeader(header);
    } catch (e) {
      throw new FuzzFailure(`decodeCompanionHeader threw on ${header.slice(0, 80)}: ${String(e)}`);
    }
    check(typeof verdict.ok === 'boolean', () => `no verdict for ${header.slice(0, 80)}`);
    if (verdict.ok) {
      for (const tree of [verdict.report.opened, verdict.report.saved]) if (tree) renderAll(tree);
    }
  },
};

/** JWTs: the vectors' tokens mutated, and tokens built from random JSON header and claims. */
function jwtTarget(pool: readonly string[]): FuzzTarget {
  const tokens = pool.filter((s) => s.startsWith('eyJ'));
  const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
  return {
    name: 'jwt',
    input(rng) {
      if (rng.next() < 0.6) return mutate(rng, rng.pick(tokens), tokens);
      const header = rng.next() < 0.7 ? `{"alg":"${rng.pick(['HS256', 'HS384', 'HS512', 'none', 'NONE', 'RS256', 'x', '__proto__'])}","typ":"JWT"}` : randomJsonText(rng);
      const claims = rng.next() < 0.5 ? `{"exp":${rng.pick(['1', '1e400', '-0', '"x"', 'NaN', '99999999999999999999'])},"sub":${randomJsonText(rng)}}` : randomJsonText(rng);
      return `${b64(header)}.${b64(claims)}.${mutate(rng, 'c2lnbmF0dXJl', [B64URL])}`;
    },
    run(token) {
      const detected = detectFormats('token', token)[0]!;
      const decoded = decodeJwt(token);
      const verified = verifyJwtDecoded(decoded, { secrets: [{ text: HOSTILE_SECRET }, { text: 'other' }], now: 1_764_086_500 });
      check(VERDICTS.has(verified.verdict), () => `unknown verdict ${verified.verdict}`);
      check(verified.verdict !== 'valid' || /^HS(256|384|512)$/.test(decoded.alg ?? ''), () => `alg ${decoded.alg} was verified`);
      analyzeCookie('token', token, { secrets: [{ text: HOSTILE_SECRET }], fallbackFormat: 'jwt' });
      if (detected.format === 'jwt') check(decoded.header !== null, () => 'detected as a JWT without a readable header');
      for (const part of [decoded.header, decoded.payload]) if (part) renderAll(part);
      // Re-signing what was read gives a token that verifies with the same secret.
      if (decoded.payload?.type === 'dict') {
        const signed = signJwt(decoded.payload, { secret: { text: HOSTILE_SECRET } });
        const again = signed.ok ? decodeJwt(signed.value) : null;
        // (Claims that are not NumericDates are refused before the signature is looked at.)
        if (again && again.claims.invalid.length === 0) {
          check(verifyJwtDecoded(again, { secrets: [{ text: HOSTILE_SECRET }], now: 0 }).signature === 'valid', () => 'a re-signed token does not verify');
        }
      }
    },
  };
}

/** Django signed_cookies sessions: the vectors' cookies mutated, and sessions signed from random JSON. */
function djangoTarget(pool: readonly string[]): FuzzTarget {
  const cookies = pool.filter((s) => /^\.?eyJ|^\.eJ/.test(s) && s.includes(':'));
  return {
    name: 'django',
    input(rng) {
      if (rng.next() < 0.6) return mutate(rng, rng.pick(cookies), cookies);
      const value = refusable(() => core.parsePythonJson(randomJsonText(rng)));
      const payload: PyValue = value?.type === 'dict' ? value : { type: 'dict', entries: new Map([['v', value ?? { type: 'none' }]]) };
      const signed = signDjangoCookie(payload, { secret: { text: HOSTILE_SECRET }, timestamp: rng.int(2_000_000_000) });
      return signed.ok ? mutate(rng, signed.value, [':', '.', B64URL]) : '';
    },
    run(cookie) {
      detectFormats('sessionid', cookie);
      const decoded = decodeDjangoCookie(cookie);
      const verified = verifyDjangoDecoded(decoded, { secrets: [{ text: HOSTILE_SECRET }, { text: 'other' }], now: 1_764_086_500 });
      check(VERDICTS.has(verified.verdict), () => `unknown verdict ${verified.verdict}`);
      check(verifyDjangoDecoded(decoded, { secrets: [] }).signature === 'not_checked', () => 'a signature was checked without a secret');
      analyzeCookie('sessionid', cookie, { secrets: [{ text: HOSTILE_SECRET }], fallbackFormat: 'django' });
      if (decoded.payload?.ok) {
        renderAll(decoded.payload.value.value);
        if (decoded.payload.value.value.type === 'dict') {
          const again = signDjangoCookie(decoded.payload.value.value, { secret: { text: HOSTILE_SECRET }, timestamp: 1_764_086_400 });
          if (again.ok) check(verifyDjangoDecoded(decodeDjangoCookie(again.value), { secrets: [{ text: HOSTILE_SECRET }], now: 1_764_086_400 }).verdict !== 'bad_signature', () => 'a re-signed session does not verify');
        }
      }
    },
  };
}

/**
 * Express's cookies: express-session ids, cookie-parser values and cookie-session sessions, signed
 * from random JSON and then mutated, on the wire (percent-encoded) or decoded.
 */
const nodeCookiesTarget: FuzzTarget = {
  name: 'node-cookies',
  input(rng) {
    const value = refusable(() => core.parsePythonJson(randomJsonText(rng)));
    const payload: PyValue = value?.type === 'dict' ? value : { type: 'dict', entries: new Map([['v', value ?? { type: 'none' }]]) };
    const secret = { secret: { text: HOSTILE_SECRET } };
    const signed = rng.pick([() => signCookieSession(payload, secret), () => signCookieParserValue(value ?? payload, secret), () => expressSession.signExpressSessionId(randomJsonText(rng), secret)])();
    if (!signed.ok) return '';
    const wire = rng.next() < 0.5 ? signed.value : decodeURIComponent(signed.value);
    return rng.next() < 0.3 ? wire : mutate(rng, wire, ['s:', 's%3A', 'j:', '%', '.', '=', B64URL]);
  },
  run(cookie) {
    detectFormats('session', cookie);
    const secrets = [{ text: HOSTILE_SECRET }, { text: 'other' }];
    const es = verifyExpressSessionDecoded(decodeExpressSession(cookie), { secrets });
    const cp = decodeCookieParser(cookie);
    const cpVerified = verifyCookieParserDecoded(cp, { secrets });
    const cs = decodeCookieSession(cookie);
    const sig = cookieSession.cookieSessionSignature('session', cs.cookie, { text: HOSTILE_SECRET });
    const csVerified = verifyCookieSessionDecoded(cs, { secrets, cookieName: 'session', signatureCookie: sig });
    for (const v of [es, cpVerified, csVerified]) check(VERDICTS.has(v.verdict), () => `unknown verdict ${v.verdict}`);
    check(verifyCookieSessionDecoded(cs, { secrets, signatureCookie: null }).verdict === 'bad_signature' || cs.cookie === '', () => 'a cookie-session without .sig was not rejected');
    analyzeCookie('session', cookie, { secrets, signatureCookie: sig });
    if (cp.value) renderAll(cp.value);
    if (cs.payload.ok) {
      renderAll(cs.payload.value);
      // The .sig made for a value verifies that value, whatever it holds.
      check(csVerified.signature === 'valid', () => 'a .sig made with the key does not verify');
    }
  },
};

const RAILS_KEY = 'fuzz-secret-key-base';

/** Rails cookies: encrypted and signed ones made from random JSON, then mutated (on the wire or decoded). */
const railsTarget: FuzzTarget = {
  name: 'rails',
  input(rng) {
    const value = refusable(() => core.parsePythonJson(randomJsonText(rng))) ?? { type: 'none' as const };
    const iv = new Uint8Array(12).map(() => rng.int(256));
    const signed = signRailsCookie(value, { secret: { text: RAILS_KEY }, cookieName: '_app_session', kind: rng.next() < 0.5 ? 'encrypted' : 'signed', iv });
    if (!signed.ok) return '';
    const wire = rng.next() < 0.5 ? signed.value : decodeURIComponent(signed.value);
    return rng.next() < 0.3 ? wire : mutate(rng, wire, ['--', '%3D', '=', '+', '/', B64URL]);
  },
  run(cookie) {
    detectFormats('_app_session', cookie);
    const decoded = decodeRailsCookie(cookie);
    // One secret and one digest: each open is a PBKDF2 (cached per secret, so only the first costs).
    const verified = verifyRailsDecoded(decoded, { secrets: [{ text: RAILS_KEY }], digest: 'sha256', cookieName: '_app_session' });
    check(VERDICTS.has(verified.verdict), () => `unknown verdict ${verified.verdict}`);
    check(verifyRailsDecoded(decoded, { secrets: [] }).signature === 'not_checked', () => 'a signature was checked without a secret');
    const message = verified.decoded.message;
    if (message?.ok && message.value.value) renderAll(message.value.value);
  },
};

export function fuzzTargets(): FuzzTarget[] {
  const pool = seedCookies();
  return [flaskCookieTarget(pool), pyJsonTarget, typedJsonTarget, flaskSessionTarget(pool), headersTarget(pool), companionTarget, jwtTarget(pool), djangoTarget(pool), nodeCookiesTarget, railsTarget];
}

/** Object.prototype must not change: keys such as `__proto__` stay data. */
export function prototypeIsClean(): boolean {
  const probe = {} as Record<string, unknown>;
  return Object.getOwnPropertyNames(Object.prototype).length === PROTOTYPE_KEYS && probe.polluted === undefined && probe.x === undefined;
}
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).length;
