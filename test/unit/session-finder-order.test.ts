import { describe, expect, it } from 'vitest';
import { findSessionCandidates, type CapturedExchange } from '../../src/core';

const ex = (seq: number, startedAt: number, path: string, cookie: string | null, setCookie: string | null): CapturedExchange => ({
  seq,
  startedAt,
  method: 'GET',
  url: `http://127.0.0.1:5000${path}`,
  status: 200,
  requestHeaders: cookie ? [{ name: 'Cookie', value: `session=${cookie}` }] : [],
  responseHeaders: setCookie ? [{ name: 'Set-Cookie', value: `session=${setCookie}; HttpOnly; Path=/` }] : [],
});

describe('findSessionCandidates, traffic order', () => {
  it('a request sent before a Set-Cookie (but finished after it) does not bring the old value back', () => {
    // /login sets A; the favicon request leaves with A; /rich leaves later, sets B, finishes first.
    const traffic = [ex(1, 1000, '/login', null, 'A'), ex(2, 1100, '/rich', 'A', 'B'), ex(3, 1050, '/favicon.ico', 'A', null)];
    expect(findSessionCandidates(traffic, [])[0]).toMatchObject({ value: 'B', source: 'response' });
  });

  it('a request sent after the Set-Cookie is the latest sighting', () => {
    const traffic = [ex(1, 1000, '/login', null, 'A'), ex(2, 1100, '/rich', 'A', 'B'), ex(3, 1200, '/favicon.ico', 'B', null)];
    expect(findSessionCandidates(traffic, [])[0]).toMatchObject({ value: 'B', source: 'request' });
  });
});
