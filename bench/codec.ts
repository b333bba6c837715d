/**
 * Codec throughput on the shipped code: this file is bundled by bench/run.ts and run with plain
 * node. Reads cookies (one per line) and a secret, and prints JSON: cookies per second for
 * decode + verify and for decode only. The cookies are all different and more than the decode
 * cache holds, so it never answers (the itsdangerous reference has no cache either).
 */
import { readFileSync } from 'node:fs';
import { decodeFlaskCookie, verifyFlaskCookie } from '../src/core';

const [cookiesFile, secret, seconds = '1.5'] = process.argv.slice(2);
const cookies = readFileSync(cookiesFile!, 'utf8').split('\n').filter(Boolean);
const secrets = [{ text: secret! }];
const budgetMs = Number(seconds) * 1000;

function rate(work: (cookie: string) => unknown): number {
  // Every cookie once as a warm-up, then whole passes until the time is up.
  for (const cookie of cookies) work(cookie);
  let done = 0;
  const started = performance.now();
  while (performance.now() - started < budgetMs) {
    for (const cookie of cookies) work(cookie);
    done += cookies.length;
  }
  return done / ((performance.now() - started) / 1000);
}

const verify = rate((cookie) => {
  const result = verifyFlaskCookie(cookie, { secrets, maxAge: 2_678_400 });
  if (result.verdict !== 'valid') throw new Error(`bench cookie not valid: ${result.verdict} ${result.reason?.message}`);
});
const decode = rate((cookie) => decodeFlaskCookie(cookie));
console.log(JSON.stringify({ verify_per_second: verify, decode_per_second: decode, cookies: cookies.length }));
