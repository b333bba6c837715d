import { utf8Length } from './codec/bytes';
import { parseString } from 'set-cookie-parser';
import type { HttpHeader } from './exchange';

/** HTTP cookie plumbing shared by the panel, the lifecycle and the diagnostics. */

/**
 * Cookies of one request or response whose content is examined to find the session: browsers keep
 * about 180 per site, so more is a hostile page making every request expensive to analyse.
 * Names the user configured are matched beyond it.
 */
export const MAX_COOKIES_EXAMINED = 200;

/** Werkzeug warns above this many bytes (name + value); browsers drop cookies past 4096. */
export const COOKIE_SIZE_LIMIT = 4093;

export interface CookieAttributes {
  domain?: string;
  path?: string;
  /** Absolute expiry, ms since the epoch (from Expires). */
  expires?: number;
  maxAge?: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: string;
  partitioned: boolean;
}

export interface SetCookie extends CookieAttributes {
  name: string;
  value: string;
  /** The header value as received. */
  raw: string;
}

export function headerValues(headers: readonly HttpHeader[], name: string): string[] {
  const wanted = name.toLowerCase();
  return headers.filter((h) => h.name.toLowerCase() === wanted).map((h) => h.value);
}

/** One Set-Cookie header value; null when it has no name=value pair at all. */
export function parseSetCookie(raw: string): SetCookie | null {
  const parsed = parseString(raw, { decodeValues: false, silent: true });
  if (!parsed) return null;
  return {
    name: parsed.name.trim(),
    value: parsed.value.trim(),
    raw,
    domain: parsed.domain,
    path: parsed.path,
    expires: parsed.expires?.getTime(),
    maxAge: parsed.maxAge,
    httpOnly: parsed.httpOnly === true,
    secure: parsed.secure === true,
    sameSite: parsed.sameSite,
    partitioned: parsed.partitioned === true,
  };
}

export function setCookiesOf(headers: readonly HttpHeader[]): SetCookie[] {
  return headerValues(headers, 'set-cookie')
    .flatMap((value) => value.split('\n'))
    .map(parseSetCookie)
    .filter((c): c is SetCookie => c !== null);
}

/** The pairs of a request `Cookie` header, in order (duplicates kept: they matter). */
export function parseCookieHeader(header: string): { name: string; value: string }[] {
  return header
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? { name: '', value: part } : { name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() };
    });
}

export function requestCookiesOf(headers: readonly HttpHeader[]): { name: string; value: string }[] {
  return headerValues(headers, 'cookie').flatMap(parseCookieHeader);
}

/** A Set-Cookie that removes the cookie: Max-Age ≤ 0, or an Expires in the past. */
export function isDeletion(cookie: SetCookie, nowMs: number): boolean {
  if (cookie.maxAge !== undefined) return cookie.maxAge <= 0;
  return cookie.expires !== undefined && cookie.expires <= nowMs;
}

/** When the browser will drop the cookie (ms), or null for a browser-session cookie. Max-Age wins over Expires. */
export function expiryOf(cookie: CookieAttributes, receivedAtMs: number): number | null {
  if (cookie.maxAge !== undefined) return receivedAtMs + cookie.maxAge * 1000;
  return cookie.expires ?? null;
}

/** Bytes the browser counts for the size limit: name plus value, UTF-8. */
export function cookieSize(name: string, value: string): number {
  return utf8Length(name + value);
}
