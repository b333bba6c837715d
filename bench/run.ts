/**
 * `npm run bench`: speed as ratios against references measured in the same
 * process, never as absolute thresholds.
 *
 * 1. Secret checking (the cost behind verification with many keys and the
 *    planned weak-secret check): derive key + HMAC per candidate secret, with
 *    the core (@noble/hashes), hash-wasm, WebCrypto, and node:crypto as the
 *    native reference.
 * 2. Decoding: the core's full decode of real cookies against JSON.parse of
 *    the same JSON text (a floor no decoder can beat).
 */
import { createHmac, webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHMAC, createSHA1 } from 'hash-wasm';
import { decodeFlaskCookie, signFlaskCookie, type PyValue } from '../src/core';
import { checkSignature, prepareKeys } from '../src/core/itsdangerous';
import { utf8Encode } from '../src/core/bytes';

const WORDLIST = join(import.meta.dirname, '..', '..', 'shared', 'wordlists', 'flask-unsign-all.txt');
const CANDIDATES = 20_000;

function candidateSecrets(): string[] {
  // The public wordlist when it is next to the checkout (tests and benchmarks only); otherwise generated words.
  if (existsSync(WORDLIST)) {
    return readFileSync(WORDLIST, 'utf8').split('\n').filter(Boolean).slice(0, CANDIDATES).map((line) => line.replace(/^(['"])(.*)\1$/, '$2'));
  }
  return Array.from({ length: CANDIDATES }, (_, i) => `secret-${i}-${(i * 2654435761) % 1e9}`);
}

async function time(label: string, fn: () => unknown | Promise<unknown>, repeat = 3): Promise<number> {
  await fn(); // warm-up
  let best = Infinity;
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  console.log(`  ${label.padEnd(48)} ${best.toFixed(1).padStart(8)} ms`);
  return best;
}

const secrets = candidateSecrets();
const salt = utf8Encode('cookie-session');
const signed = signFlaskCookie({ type: 'dict', entries: new Map<string, PyValue>([['user', { type: 'str', value: 'alice' }]]) }, { secret: { text: 'not-in-the-list' }, timestamp: 1700000000 });
if (!signed.ok) throw new Error('sign failed');
const cookie = signed.value.cookie;
const signingInput = cookie.slice(0, cookie.lastIndexOf('.'));
const message = utf8Encode(signingInput);

console.log(`\nSecret checking: ${secrets.length} candidate secrets against one Flask cookie (derive key + HMAC-SHA1 each)`);
const reference = await time('node:crypto createHmac (native reference)', () => {
  for (const secret of secrets) {
    const key = createHmac('sha1', secret).update(salt).digest();
    createHmac('sha1', key).update(message).digest();
  }
});
const core = await time('core: prepareKeys + checkSignature (@noble/hashes)', () => {
  checkSignature(signingInput, cookie.slice(cookie.lastIndexOf('.') + 1), prepareKeys(secrets.map((text) => ({ text })), { salt, digest: 'sha1', keyDerivation: 'hmac' }));
});
// The two async libraries are measured on a tenth of the candidates and scaled: they are far slower.
const SAMPLE = secrets.filter(Boolean).slice(0, secrets.length / 10);
const scale = secrets.length / SAMPLE.length;
const wasm = scale * await time('hash-wasm createHMAC (new instance per key)', async () => {
  for (const secret of SAMPLE) {
    const derive = await createHMAC(createSHA1(), secret);
    derive.init();
    derive.update(salt);
    const key = derive.digest('binary');
    const mac = await createHMAC(createSHA1(), key);
    mac.init();
    mac.update(message);
    mac.digest('binary');
  }
}, 1);
const subtle = webcrypto.subtle;
const webCrypto = scale * await time('WebCrypto subtle.sign (async per call)', async () => {
  for (const secret of SAMPLE) {
    const deriveKey = await subtle.importKey('raw', utf8Encode(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    const key = new Uint8Array(await subtle.sign('HMAC', deriveKey, salt));
    const macKey = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    await subtle.sign('HMAC', macKey, message);
  }
}, 1);
console.log('\n  ratios (time / native reference; lower is better)');
console.log(`    core (@noble/hashes)  ${(core / reference).toFixed(2)}×   ${Math.round(secrets.length / (core / 1000))} secrets/s`);
console.log(`    hash-wasm             ${(wasm / reference).toFixed(2)}×   (measured on ${SAMPLE.length}, scaled)`);
console.log(`    WebCrypto             ${(webCrypto / reference).toFixed(2)}×   (measured on ${SAMPLE.length}, scaled)`);

console.log('\nDecoding: real cookies, full decode (base64, zlib, Python JSON, untag) vs JSON.parse of the same JSON text');
const payloads: PyValue[] = [
  { type: 'dict', entries: new Map<string, PyValue>([['user_id', { type: 'int', value: 42n }]]) },
  {
    type: 'dict',
    entries: new Map<string, PyValue>([
      ['cart', { type: 'list', items: Array.from({ length: 40 }, (_, i): PyValue => ({ type: 'dict', entries: new Map<string, PyValue>([['sku', { type: 'str', value: `SKU-${i}` }], ['qty', { type: 'int', value: BigInt(i % 3) }], ['price', { type: 'float', value: 9.99 }]]) })) }],
      ['_flashes', { type: 'list', items: [{ type: 'tuple', items: [{ type: 'str', value: 'message' }, { type: 'str', value: 'Hello' }] }] }],
    ]),
  },
];
const cookies = payloads.map((p) => {
  const s = signFlaskCookie(p, { secret: { text: 'k' }, timestamp: 1700000000 });
  if (!s.ok) throw new Error('sign failed');
  return s.value;
});
const ROUNDS = 2000;
const decodeTime = await time(`core decodeFlaskCookie × ${ROUNDS * cookies.length}`, () => {
  for (let i = 0; i < ROUNDS; i++) for (const c of cookies) decodeFlaskCookie(c.cookie);
});
const parseTime = await time(`JSON.parse of the JSON text × ${ROUNDS * cookies.length}`, () => {
  for (let i = 0; i < ROUNDS; i++) for (const c of cookies) JSON.parse(c.jsonText);
});
console.log(`\n  ratio: full decode / JSON.parse = ${(decodeTime / parseTime).toFixed(1)}×  (${Math.round((ROUNDS * cookies.length) / (decodeTime / 1000))} cookies/s)\n`);
