import { b64StdEncode, utf8Encode } from './bytes';
import { hmacDigest, secretBytes, type DigestName, type SecretInput } from './crypto';

/**
 * The building blocks Express apps sign cookies with (SPEC §5, §6, §11.4–5): the `cookie`
 * package's value decoding, cookie-signature (express-session, cookie-parser) and keygrip
 * (cookie-session through `cookies`). Pure functions of text; nothing here throws on input.
 */

/** A value without the double quotes around it, as the `cookie` package and `cookies` read one (no unescaping). */
export function stripCookieQuotes(raw: string): string {
  return raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
}

/**
 * A cookie value as the `cookie` package's parse hands it to the app: surrounding double quotes
 * removed, then percent-decoded when it has a `%` (decodeURIComponent; the raw text when that fails).
 */
export function nodeCookieValue(raw: string): string {
  const unquoted = stripCookieQuotes(raw);
  if (!unquoted.includes('%')) return unquoted;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return unquoted;
  }
}

/** cookie-signature's MAC of `value`: standard base64 of HMAC-SHA256, "=" removed (43 characters). */
export function cookieSignatureMac(value: string, secret: SecretInput): string {
  return b64StdEncode(hmacDigest('sha256', secretBytes(secret), utf8Encode(value))).replace(/=+$/, '');
}

/** `value "." mac`, as cookie-signature's sign writes it. */
export function cookieSignatureSign(value: string, secret: SecretInput): string {
  return `${value}.${cookieSignatureMac(value, secret)}`;
}

/**
 * cookie-signature's unsign over a list of secrets, in order (express-session and cookie-parser try
 * every secret; the first signs): the index of the first that matches, or -1. The text is split at
 * its last "." and the whole `value.mac` is compared, so an appended "=" or a changed bit fails.
 */
export function cookieSignatureMatch(signed: string, secrets: readonly SecretInput[]): number {
  const dot = signed.lastIndexOf('.');
  if (dot < 0) return -1;
  const value = signed.slice(0, dot);
  const mac = signed.slice(dot + 1);
  // A MAC of any other length cannot match: skip the HMACs (a hostile cookie may come with many secrets).
  if (mac.length !== 43) return -1;
  return secrets.findIndex((secret) => cookieSignatureMac(value, secret) === mac);
}

/** keygrip's sign: the digest of `data` in base64, made URL-safe ("/" → "_", "+" → "-", "=" removed). */
export function keygripSign(data: string, key: SecretInput, digest: DigestName = 'sha1'): string {
  return b64StdEncode(hmacDigest(digest, secretBytes(key), utf8Encode(data)))
    .replace(/=+$/, '')
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

/** keygrip's index: the first key whose signature of `data` is exactly `signature`, or -1. */
export function keygripIndex(data: string, signature: string, keys: readonly SecretInput[], digest: DigestName = 'sha1'): number {
  return keys.findIndex((key) => keygripSign(data, key, digest) === signature);
}

const NODE_BASE64 = /[A-Za-z0-9+/_-]/;

/**
 * Node's `Buffer.from(text, 'base64')`: both alphabets, characters outside them skipped, stopping at
 * the first "="; a trailing lone character is dropped. Linear, total.
 */
export function nodeBase64Decode(text: string): Uint8Array {
  const sextets: number[] = [];
  for (const ch of text) {
    if (ch === '=') break;
    if (!NODE_BASE64.test(ch)) continue;
    const c = ch.charCodeAt(0);
    sextets.push(
      c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 71 : c >= 48 && c <= 57 ? c + 4 : ch === '+' || ch === '-' ? 62 : 63,
    );
  }
  const out = new Uint8Array(Math.floor((sextets.length * 3) / 4));
  let o = 0;
  for (let i = 0; i + 1 < sextets.length; i += 4) {
    const [a, b, c = 0, d = 0] = [sextets[i]!, sextets[i + 1]!, sextets[i + 2], sextets[i + 3]];
    out[o++] = (a << 2) | (b >> 4);
    if (i + 2 < sextets.length) out[o++] = ((b & 15) << 4) | (c >> 2);
    if (i + 3 < sextets.length) out[o++] = ((c & 3) << 6) | d;
  }
  return out.subarray(0, o);
}
