/**
 * findSessionCandidates remembers each cookie's format detection (the panel finds candidates
 * again on every batch of traffic): the answers must be the same as detecting afresh, also once
 * the memory is full and starts over, and for the same value under another name.
 */
import { describe, expect, it } from 'vitest';
import { detectFormats, findSessionCandidates, type CapturedExchange } from '../../src/core';
import { rawFlaskCookie } from '../support/hostile';

const exchange = (cookies: string[]): CapturedExchange => ({
  seq: 1,
  startedAt: 0,
  method: 'GET',
  url: 'http://127.0.0.1/',
  status: 200,
  requestHeaders: [{ name: 'Cookie', value: cookies.join('; ') }],
  responseHeaders: [],
});

describe('findSessionCandidates, detections remembered', () => {
  it('the same candidates as a fresh detection, over more distinct cookies than it remembers', () => {
    const flask = rawFlaskCookie('{"user":"alice"}');
    // 4 × 200 distinct name/value pairs (more than the 512 remembered), half of them Flask-shaped.
    const rounds = Array.from({ length: 4 }, (_, r) =>
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `r${r}c${i}=${rawFlaskCookie(`{"n":${r * 1000 + i}}`)}` : `r${r}c${i}=plain-${r}-${i}`)),
    );
    const expected = (cookies: string[]) =>
      cookies
        .map((c) => c.split('='))
        .filter(([name, value]) => detectFormats(name!, value!)[0]!.format !== 'unknown')
        .map(([name]) => name)
        .sort();
    for (let pass = 0; pass < 2; pass++) {
      for (const cookies of rounds) {
        const found = findSessionCandidates([exchange(cookies)], []);
        expect(found.map((c) => c.name).sort()).toEqual(expected(cookies));
        for (const c of found) expect(c.detection).toEqual(detectFormats(c.name, c.value)[0]);
      }
    }
    // The name is part of what is remembered: `session` adds Flask's default name to the reasons.
    const [asOther] = findSessionCandidates([exchange([`other=${flask}`])], []);
    const [asSession] = findSessionCandidates([exchange([`session=${flask}`])], []);
    expect(asOther!.detection.reasons).not.toContain("Flask's default cookie name");
    expect(asSession!.detection.reasons).toContain("Flask's default cookie name");
  });
});
