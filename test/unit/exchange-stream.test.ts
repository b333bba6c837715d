import { describe, expect, it } from 'vitest';
import type { CapturedExchange } from '../../src/core/exchange';
import { ExchangeLog } from '../../src/extension/platform/exchange-log';
import { ExchangeStream, type ExchangeBatchInfo } from '../../src/extension/platform/exchange-stream';
import type { HarEntryLike } from '../../src/extension/platform/har-to-exchange';

const har = (path: string): HarEntryLike => ({
  startedDateTime: '2026-01-01T00:00:00.000Z',
  request: { method: 'GET', url: `http://127.0.0.1:5000${path}`, headers: [] },
  response: { status: 200, headers: [] },
});

/** A stream whose live deliveries wait for `run()`. */
function manualStream(capacity?: number) {
  const queue: (() => void)[] = [];
  const stream = new ExchangeStream({ capacity, schedule: (flush) => queue.push(flush), now: () => 1 });
  return { stream, run: () => queue.splice(0).forEach((flush) => flush()) };
}

function recorder() {
  const calls: { urls: string[]; info: ExchangeBatchInfo }[] = [];
  const listener = (batch: CapturedExchange[], info: ExchangeBatchInfo) =>
    calls.push({ urls: batch.map((e) => new URL(e.url).pathname), info });
  return { calls, listener };
}

describe('ExchangeLog', () => {
  it('keeps the newest entries and counts the evicted ones', () => {
    const log = new ExchangeLog(3);
    for (let seq = 1; seq <= 5; seq += 1) {
      log.append({ seq, startedAt: 0, method: 'GET', url: `/${seq}`, status: 200, requestHeaders: [], responseHeaders: [] });
    }
    expect(log.snapshot().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(log.size).toBe(3);
    expect(log.dropped).toBe(2);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new ExchangeLog(0)).toThrow(RangeError);
    expect(() => new ExchangeLog(1.5)).toThrow(RangeError);
  });

  it('defaults to 10,000 entries', () => {
    expect(new ExchangeLog().capacity).toBe(10_000);
  });
});

describe('ExchangeStream', () => {
  it('numbers exchanges from 1 in arrival order', () => {
    const { stream } = manualStream();
    expect([stream.recordHar(har('/a')).seq, stream.recordHar(har('/b')).seq]).toEqual([1, 2]);
  });

  it('gives a late subscriber the backlog first, then live batches', () => {
    const { stream, run } = manualStream();
    stream.recordHar(har('/before-1'));
    stream.recordHar(har('/before-2'));
    const { calls, listener } = recorder();
    stream.subscribe(listener);
    expect(calls).toEqual([{ urls: ['/before-1', '/before-2'], info: { dropped: 0 } }]);

    stream.recordHar(har('/live-1'));
    stream.recordHar(har('/live-2'));
    expect(calls).toHaveLength(1); // coalesced until the scheduled flush
    run();
    expect(calls[1]).toEqual({ urls: ['/live-1', '/live-2'], info: { dropped: 0 } });
  });

  it('calls a subscriber once with an empty backlog when nothing was recorded', () => {
    const { stream } = manualStream();
    const { calls, listener } = recorder();
    stream.subscribe(listener);
    expect(calls).toEqual([{ urls: [], info: { dropped: 0 } }]);
  });

  it('never delivers an exchange twice to a subscriber that joins before a pending flush', () => {
    const { stream, run } = manualStream();
    const first = recorder();
    stream.subscribe(first.listener);
    stream.recordHar(har('/pending'));
    const second = recorder();
    stream.subscribe(second.listener);
    run();
    expect(first.calls.map((c) => c.urls)).toEqual([[], ['/pending']]);
    expect(second.calls.map((c) => c.urls)).toEqual([['/pending']]);
  });

  it('reports, per listener, the evictions it never received: not those of exchanges it already got', () => {
    const { stream, run } = manualStream(2);
    stream.recordHar(har('/1'));
    stream.recordHar(har('/2'));
    stream.recordHar(har('/3'));
    const { calls, listener } = recorder();
    stream.subscribe(listener);
    expect(calls[0]).toEqual({ urls: ['/2', '/3'], info: { dropped: 1 } });
    // /2 is evicted now, but this listener has it: still only /1 is lost to it.
    stream.recordHar(har('/4'));
    run();
    expect(calls[1]).toEqual({ urls: ['/4'], info: { dropped: 1 } });
    // Even a burst larger than the buffer within one flush reaches it whole.
    for (const path of ['/5', '/6', '/7']) stream.recordHar(har(path));
    run();
    expect(calls[2]).toEqual({ urls: ['/5', '/6', '/7'], info: { dropped: 1 } });
    expect(stream.dropped).toBe(5);
    // A later listener has missed everything evicted so far.
    const late = recorder();
    stream.subscribe(late.listener);
    expect(late.calls[0]).toEqual({ urls: ['/6', '/7'], info: { dropped: 5 } });
  });

  it("counts an earlier session's losses for listeners that subscribed before and after the restore", async () => {
    const { stream, run } = manualStream(10);
    const early = recorder();
    stream.subscribe(early.listener);
    let settle!: (value: { exchanges: CapturedExchange[]; dropped: number }) => void;
    const restored = stream.restoreFirst(new Promise((resolve) => (settle = resolve)));
    stream.recordHar(har('/new'));
    settle({ exchanges: [{ seq: 4, startedAt: 1, method: 'GET', url: 'http://127.0.0.1:5000/old', status: 200, requestHeaders: [], responseHeaders: [] }], dropped: 3 });
    await restored;
    run();
    expect(early.calls.at(-1)).toEqual({ urls: ['/old', '/new'], info: { dropped: 3 } });
    const late = recorder();
    stream.subscribe(late.listener);
    expect(late.calls[0]).toEqual({ urls: ['/old', '/new'], info: { dropped: 3 } });
  });

  it('stops delivering after unsubscribe, and isolates a throwing listener', () => {
    const errors: unknown[] = [];
    const queue: (() => void)[] = [];
    const stream = new ExchangeStream({ schedule: (f) => queue.push(f), onListenerError: (e) => errors.push(e) });
    const good = recorder();
    stream.subscribe(() => {
      throw new Error('boom');
    });
    const stop = stream.subscribe(good.listener);
    stream.recordHar(har('/x'));
    queue.splice(0).forEach((f) => f());
    stop();
    stream.recordHar(har('/y'));
    queue.splice(0).forEach((f) => f());
    expect(good.calls.map((c) => c.urls)).toEqual([[], ['/x']]);
    expect(errors).toHaveLength(3); // backlog + /x + /y for the throwing listener
  });

  it('hands each listener its own array', () => {
    const { stream } = manualStream();
    stream.recordHar(har('/a'));
    const batches: CapturedExchange[][] = [];
    stream.subscribe((b) => batches.push(b));
    stream.subscribe((b) => batches.push(b));
    batches[0]!.length = 0;
    expect(batches[1]).toHaveLength(1);
  });
});
