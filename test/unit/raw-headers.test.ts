import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DevtoolsNetworkLike } from '../../src/extension/platform/devtools-api';
import type { HarEntryLike } from '../../src/extension/platform/har-to-exchange';
import { awaitingRawHeaders, rawHeaderCompleter } from '../../src/extension/platform/raw-headers';

/** A Chromium HAR entry for `path`: with its raw headers (a header size, Set-Cookie), or before them. */
function entry(path: string, raw: boolean, extra: Partial<HarEntryLike> = {}): HarEntryLike {
  return {
    startedDateTime: `2026-01-01T00:00:00.${String(path.length).padStart(3, '0')}Z`,
    request: { method: 'POST', url: `http://127.0.0.1:5000${path}`, headers: [] },
    response: raw
      ? { status: 200, httpVersion: 'HTTP/1.1', headersSize: 276, headers: [{ name: 'Vary', value: 'Cookie' }, { name: 'Set-Cookie', value: 'session=x' }] }
      : { status: 200, httpVersion: 'http/1.1', headersSize: -1, headers: [{ name: 'Vary', value: 'Cookie' }] },
    ...extra,
  };
}

/** A devtools network whose getHAR answers with whatever `har` holds when it is called. */
function fakeNetwork(har: () => HarEntryLike[]) {
  const calls: number[] = [];
  const network: DevtoolsNetworkLike = {
    onRequestFinished: { addListener() {}, removeListener() {} },
    getHAR: () => {
      calls.push(Date.now());
      return Promise.resolve({ entries: har() });
    },
  };
  return { network, calls };
}

const pathOf = (e: HarEntryLike) => new URL(e.request!.url!).pathname;
const hasSetCookie = (e: HarEntryLike) => e.response!.headers!.some((h) => h.name === 'Set-Cookie');

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('raw response headers that DevTools delivers late', () => {
  it('tells a Chromium entry without its raw headers from complete, HTTP/2, cached and service-worker ones', () => {
    expect(awaitingRawHeaders(entry('/a', false))).toBe(true);
    expect(awaitingRawHeaders(entry('/a', true))).toBe(false);
    const h2 = entry('/a', false);
    h2.response!.httpVersion = 'h2';
    expect(awaitingRawHeaders(h2)).toBe(false);
    expect(awaitingRawHeaders(entry('/a', false, { _fromCache: 'disk' }))).toBe(false);
    const viaWorker = entry('/a', false);
    viaWorker.response!._fetchedViaServiceWorker = true;
    expect(awaitingRawHeaders(viaWorker)).toBe(false);
    expect(awaitingRawHeaders({ ...entry('/a', false), response: { status: 0, headersSize: -1, httpVersion: 'http/1.1' } })).toBe(false);
    // Firefox and older producers leave the fields out.
    expect(awaitingRawHeaders({ request: {}, response: { status: 200, headers: [] } })).toBe(false);
  });

  it('records the completed entry from getHAR, and keeps the order of the entries after it', async () => {
    let inDevtools = [entry('/first', false)];
    const { network, calls } = fakeNetwork(() => inDevtools);
    const recorded: HarEntryLike[] = [];
    const completer = rawHeaderCompleter(network, (e) => recorded.push(e), { retryDelaysMs: [0, 10, 20] });
    completer.push(entry('/first', false));
    completer.push(entry('/second-one', true));
    await vi.advanceTimersByTimeAsync(0);
    expect(recorded).toEqual([]); // still without its raw headers in DevTools: both wait
    inDevtools = [entry('/first', true), entry('/second-one', true)];
    await vi.advanceTimersByTimeAsync(10);
    expect(recorded.map(pathOf)).toEqual(['/first', '/second-one']);
    expect(recorded.every(hasSetCookie)).toBe(true);
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2); // nothing waits: no more getHAR
  });

  it('records an entry as it is when the log no longer lists it (navigation) or after the last retry', async () => {
    const { network, calls } = fakeNetwork(() => [entry('/stays-incomplete', false)]);
    const recorded: HarEntryLike[] = [];
    const completer = rawHeaderCompleter(network, (e) => recorded.push(e), { retryDelaysMs: [0, 10, 20] });
    completer.push(entry('/gone', false));
    await vi.advanceTimersByTimeAsync(0);
    expect(recorded.map(pathOf)).toEqual(['/gone']);
    completer.push(entry('/stays-incomplete', false));
    await vi.advanceTimersByTimeAsync(25);
    expect(recorded.map(pathOf)).toEqual(['/gone']);
    await vi.advanceTimersByTimeAsync(10);
    expect(recorded.map(pathOf)).toEqual(['/gone', '/stays-incomplete']);
    expect(recorded.some(hasSetCookie)).toBe(false);
    expect(calls).toHaveLength(4);
  });

  it('does not call getHAR for entries that are complete', async () => {
    const { network, calls } = fakeNetwork(() => []);
    const recorded: HarEntryLike[] = [];
    const completer = rawHeaderCompleter(network, (e) => recorded.push(e));
    for (const path of ['/a', '/bb', '/ccc']) completer.push(entry(path, true));
    await vi.advanceTimersByTimeAsync(2000);
    expect(recorded.map(pathOf)).toEqual(['/a', '/bb', '/ccc']);
    expect(calls).toHaveLength(0);
  });

  it('does not judge an entry by a getHAR answer that was asked for before it came', async () => {
    let answer: ((log: { entries: HarEntryLike[] }) => void) | undefined;
    const network: DevtoolsNetworkLike = {
      onRequestFinished: { addListener() {}, removeListener() {} },
      getHAR: () => new Promise((resolve) => (answer = resolve)),
    };
    const recorded: HarEntryLike[] = [];
    const completer = rawHeaderCompleter(network, (e) => recorded.push(e), { retryDelaysMs: [0, 10] });
    completer.push(entry('/early', false));
    await vi.advanceTimersByTimeAsync(0); // getHAR asked
    completer.push(entry('/late-one', false));
    answer!({ entries: [entry('/early', true)] }); // a snapshot without /late-one
    await vi.advanceTimersByTimeAsync(0);
    expect(recorded.map(pathOf)).toEqual(['/early']); // /late-one still waits for its own look
    await vi.advanceTimersByTimeAsync(0);
    answer!({ entries: [entry('/late-one', true)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(recorded.map(pathOf)).toEqual(['/early', '/late-one']);
    expect(recorded.every(hasSetCookie)).toBe(true);
  });

  it('waits at most maxWaitMs however slow getHAR is, and spaces looks by their cost', async () => {
    const asked: number[] = [];
    let inDevtools = [entry('/slow-log', false)];
    const network: DevtoolsNetworkLike = {
      onRequestFinished: { addListener() {}, removeListener() {} },
      getHAR: () => {
        asked.push(Date.now());
        const answer = inDevtools;
        return new Promise((resolve) => setTimeout(() => resolve({ entries: answer }), 300)); // a big log
      },
    };
    const recorded: HarEntryLike[] = [];
    const completer = rawHeaderCompleter(network, (e) => recorded.push(e), { retryDelaysMs: [0, 0, 0, 0, 0, 0], maxWaitMs: 1000 });
    const start = Date.now();
    completer.push(entry('/slow-log', false));
    completer.push(entry('/after-it', true));
    await vi.advanceTimersByTimeAsync(999);
    expect(recorded).toEqual([]);
    // One look at 0 (answered at 300); the next no sooner than 300 + 10 × 300 = 3300, past the deadline.
    expect(asked.map((t) => t - start)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(recorded.map(pathOf)).toEqual(['/slow-log', '/after-it']);
    expect(hasSetCookie(recorded[0]!)).toBe(false);

    inDevtools = [entry('/next', true)];
    completer.push(entry('/next', false));
    await vi.advanceTimersByTimeAsync(0);
    expect(recorded).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    // The spacing holds the next look past this entry's deadline: recorded as it is, no look.
    expect(asked.map((t) => t - start)).toEqual([0]);
    expect(recorded.map(pathOf)).toEqual(['/slow-log', '/after-it', '/next']);
    expect(hasSetCookie(recorded[2]!)).toBe(false);

    await vi.advanceTimersByTimeAsync(3300 - (Date.now() - start)); // now 3300: looks are allowed again
    completer.push(entry('/next', false));
    await vi.advanceTimersByTimeAsync(300);
    expect(asked.map((t) => t - start)).toEqual([0, 3300]);
    expect(recorded.map(pathOf)).toEqual(['/slow-log', '/after-it', '/next', '/next']);
    expect(hasSetCookie(recorded[3]!)).toBe(true);
  });

  it('stops looking when stopped', async () => {
    const { network, calls } = fakeNetwork(() => [entry('/a', false)]);
    const recorded: HarEntryLike[] = [];
    const completer = rawHeaderCompleter(network, (e) => recorded.push(e), { retryDelaysMs: [5, 5, 5] });
    completer.push(entry('/a', false));
    completer.stop();
    await vi.advanceTimersByTimeAsync(100);
    expect(calls).toHaveLength(0);
    expect(recorded).toEqual([]);
  });
});
