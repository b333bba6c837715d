import { b64urlEncode, utf8Encode } from '../../src/core/codec/bytes';
import { encodeTimestamp, prepareKeys, signatureFor } from '../../src/core/codec/itsdangerous';
import { deflateZlib } from '../../src/core/codec/zlib';

/**
 * Cookies a hostile site can set to make a decoder hang or run out of memory. Each is a few
 * hundred bytes to a few KB on the wire; the names match the table of issue 7.
 */

export const HOSTILE_SECRET = 'hostile-test-key';
const TIMESTAMP = 1_764_086_400;

/** A Flask cookie around raw JSON text (compressed when smaller, as itsdangerous does), signed with HOSTILE_SECRET. */
export function rawFlaskCookie(jsonText: string, { secret = HOSTILE_SECRET, timestamp = TIMESTAMP } = {}): string {
  const json = utf8Encode(jsonText);
  const zipped = deflateZlib(json);
  const payload = zipped.length < json.length - 1 ? `.${b64urlEncode(zipped)}` : b64urlEncode(json);
  const signingInput = `${payload}.${encodeTimestamp(timestamp)}`;
  const [key] = prepareKeys([{ text: secret }], { salt: 'cookie-session', digest: 'sha1', keyDerivation: 'hmac' });
  return `${signingInput}.${signatureFor(signingInput, key!)}`;
}

export const nest = (open: string, close: string, depth: number, core: string) => open.repeat(depth) + core + close.repeat(depth);

export interface HostileCase {
  name: string;
  jsonText: string;
}

/** The amplifying payloads: each must be refused quickly, not decoded slowly. */
export function amplifyingCases(): HostileCase[] {
  return [
    // Each level renders the inner Markup with repr(), doubling the escapes.
    { name: 'Markup lists, 26 deep', jsonText: `{"a":${nest('{" m":[', ']}', 26, '"\'\\""')}}` },
    { name: 'Markup lists, 25 deep', jsonText: `{"a":${nest('{" m":[', ']}', 25, '"\'\\""')}}` },
    // Markup(str(tuple)) is ~5 characters per character, and the tuple of that string one item each.
    { name: 'Markup of tuple around 1,000 characters, 8 deep', jsonText: `{"a":${nest('{" m":{" t":', '}}', 8, JSON.stringify('x'.repeat(1000)))}}` },
    { name: 'Markup of tuple around "AAAAAAAA", 11 deep', jsonText: `{"a":${nest('{" m":{" t":', '}}', 11, '"AAAAAAAA"')}}` },
  ];
}

/** Large but honest work: must decode (or be refused) in linear time. */
export function linearCases(): HostileCase[] {
  return [
    { name: 'UUID tag of 100,000 braces', jsonText: `{"a":{" u":"${'{'.repeat(100_000)}"}}` },
    { name: 'UUID tag of 1,000,000 braces', jsonText: `{"a":{" u":"${'{'.repeat(1_000_000)}"}}` },
    { name: 'UUID tag of braces around a real UUID', jsonText: `{"a":{" u":"${'{'.repeat(50_000)}12345678123456781234567812345678${'}'.repeat(50_000)}"}}` },
    { name: '999 nested lists around a 1 MB string', jsonText: `{"a":${nest('[', ']', 998, JSON.stringify('y'.repeat(1_000_000 - 3000)))}}` },
    { name: '480 nested dicts of 400 keys', jsonText: nest('{"k":', '}', 480, `{${Array.from({ length: 400 }, (_, i) => `"${i}":[${i}]`).join(',')}}`) },
    // What the 1 MiB inflate cap lets through: a 1.4 KB cookie of half a million values.
    { name: '500,000 zeros in one list', jsonText: `{"a":[${'0,'.repeat(499_999)}0]}` },
  ];
}

/** A `Cookie:` header with `pairs` small pairs and the session cookie last. */
export function crowdedCookieHeader(pairs: number, session: string): string {
  const filler = Array.from({ length: pairs }, (_, i) => `c${i}=v${i}`);
  return `Cookie: ${[...filler, `session=${session}`].join('; ')}`;
}

/** Keys and values that are markup or links: they must stay inert text wherever they are shown. */
export const MARKUP_PAYLOAD = JSON.stringify({
  '<img src=x onerror="window.__pwned=1">': '<script>window.__pwned=2</script>',
  link: 'javascript:window.__pwned=3',
  nested: { '<b onmouseover="window.__pwned=4">bold</b>': ['<iframe src="javascript:window.__pwned=5">'] },
  '\u202eevil': '\x1b]0;title\x07',
});
