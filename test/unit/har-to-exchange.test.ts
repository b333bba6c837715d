import { describe, expect, it } from 'vitest';
import {
  harEntryToExchange,
  normalizeHeaders,
  parseStartedAt,
  type HarEntryLike,
} from '../../src/extension/platform/har-to-exchange';

const RECEIVED_AT = Date.UTC(2026, 0, 2, 3, 4, 5);

function entry(overrides: Partial<HarEntryLike> = {}): HarEntryLike {
  return {
    startedDateTime: '2026-03-04T05:06:07.089Z',
    request: {
      method: 'POST',
      url: 'http://127.0.0.1:5000/login?next=%2F',
      headers: [
        { name: 'Host', value: '127.0.0.1:5000' },
        { name: 'Cookie', value: 'session=eyJhIjoxfQ.Z.sig; theme=dark' },
      ],
    },
    response: {
      status: 302,
      redirectURL: 'http://127.0.0.1:5000/',
      headers: [
        { name: 'Location', value: '/' },
        { name: 'Vary', value: 'Cookie' },
        { name: 'Cache-Control', value: 'private' },
        { name: 'Set-Cookie', value: 'session=new.Z.sig; HttpOnly; Path=/' },
      ],
    },
    _resourceType: 'document',
    ...overrides,
  };
}

describe('harEntryToExchange', () => {
  it('keeps method, URL, status, headers, redirect target and resource type', () => {
    expect(harEntryToExchange(entry(), 7, RECEIVED_AT)).toEqual({
      seq: 7,
      startedAt: Date.UTC(2026, 2, 4, 5, 6, 7, 89),
      method: 'POST',
      url: 'http://127.0.0.1:5000/login?next=%2F',
      status: 302,
      requestHeaders: [
        { name: 'Host', value: '127.0.0.1:5000' },
        { name: 'Cookie', value: 'session=eyJhIjoxfQ.Z.sig; theme=dark' },
      ],
      responseHeaders: [
        { name: 'Location', value: '/' },
        { name: 'Vary', value: 'Cookie' },
        { name: 'Cache-Control', value: 'private' },
        { name: 'Set-Cookie', value: 'session=new.Z.sig; HttpOnly; Path=/' },
      ],
      redirectURL: 'http://127.0.0.1:5000/',
      resourceType: 'document',
    });
  });

  it('leaves out an empty redirectURL and a missing _resourceType', () => {
    const e = entry({ _resourceType: undefined });
    e.response!.redirectURL = '';
    const exchange = harEntryToExchange(e, 1, RECEIVED_AT);
    expect(exchange).not.toHaveProperty('redirectURL');
    expect(exchange).not.toHaveProperty('resourceType');
  });

  it('keeps one header entry per Set-Cookie header, as Chromium delivers them', () => {
    const e = entry();
    e.response!.headers = [
      { name: 'set-cookie', value: 'a=1; HttpOnly' },
      { name: 'Set-Cookie', value: 'b=2; Secure' },
    ];
    expect(harEntryToExchange(e, 1, RECEIVED_AT).responseHeaders).toEqual([
      { name: 'set-cookie', value: 'a=1; HttpOnly' },
      { name: 'Set-Cookie', value: 'b=2; Secure' },
    ]);
  });

  it('splits Set-Cookie values folded with line breaks into separate entries', () => {
    const e = entry();
    e.response!.headers = [
      { name: 'Content-Type', value: 'text/html' },
      { name: 'Set-Cookie', value: 'session=x.y.z; HttpOnly; Path=/\nremember=1; Expires=Thu, 01 Jan 2027 00:00:00 GMT\r\nlang=en\n' },
      { name: 'Vary', value: 'Cookie' },
    ];
    expect(harEntryToExchange(e, 1, RECEIVED_AT).responseHeaders).toEqual([
      { name: 'Content-Type', value: 'text/html' },
      { name: 'Set-Cookie', value: 'session=x.y.z; HttpOnly; Path=/' },
      { name: 'Set-Cookie', value: 'remember=1; Expires=Thu, 01 Jan 2027 00:00:00 GMT' },
      { name: 'Set-Cookie', value: 'lang=en' },
      { name: 'Vary', value: 'Cookie' },
    ]);
  });

  it('does not split other headers, and keeps a comma inside a Set-Cookie Expires date', () => {
    expect(
      normalizeHeaders([
        { name: 'X-Multi', value: 'a\nb' },
        { name: 'Set-Cookie', value: 'k=v; Expires=Wed, 21 Oct 2026 07:28:00 GMT' },
      ]),
    ).toEqual([
      { name: 'X-Multi', value: 'a\nb' },
      { name: 'Set-Cookie', value: 'k=v; Expires=Wed, 21 Oct 2026 07:28:00 GMT' },
    ]);
  });

  it('copies headers instead of sharing the HAR objects', () => {
    const e = entry();
    const exchange = harEntryToExchange(e, 1, RECEIVED_AT);
    e.request!.headers![1]!.value = 'changed';
    expect(exchange.requestHeaders[1]!.value).toBe('session=eyJhIjoxfQ.Z.sig; theme=dark');
  });

  it('survives damaged entries', () => {
    expect(harEntryToExchange({}, 3, RECEIVED_AT)).toEqual({
      seq: 3,
      startedAt: RECEIVED_AT,
      method: 'GET',
      url: '',
      status: 0,
      requestHeaders: [],
      responseHeaders: [],
    });
    const odd = {
      request: { headers: [null, { name: 'X', value: 5 }, { value: 'nameless' }] },
      response: { status: Number.NaN, headers: 'nope' },
    } as unknown as HarEntryLike;
    const exchange = harEntryToExchange(odd, 4, RECEIVED_AT);
    expect(exchange.requestHeaders).toEqual([{ name: 'X', value: '5' }]);
    expect(exchange.responseHeaders).toEqual([]);
    expect(exchange.status).toBe(0);
  });

  it('keeps status 0 of failed or blocked requests', () => {
    const e = entry();
    e.response = { status: 0, headers: [] };
    expect(harEntryToExchange(e, 1, RECEIVED_AT).status).toBe(0);
  });
});

describe('parseStartedAt', () => {
  it('reads ISO 8601 with offsets', () => {
    expect(parseStartedAt('2026-03-04T06:06:07.089+01:00', 0)).toBe(Date.UTC(2026, 2, 4, 5, 6, 7, 89));
  });

  it('falls back when the value is missing or unreadable', () => {
    expect(parseStartedAt(undefined, 42)).toBe(42);
    expect(parseStartedAt('yesterday-ish', 42)).toBe(42);
  });
});
