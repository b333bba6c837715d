import { describe, expect, it } from 'vitest';
import type { CapturedExchange } from '../../src/core/exchange';
import type { DevtoolsLike } from '../../src/extension/platform/devtools-api';
import { startExchangeCollector } from '../../src/extension/platform/devtools-side';
import {
  ExchangeHistory,
  HISTORY_INDEX_KEY,
  chunkKey,
  historyKey,
  jsonBytes,
  loadTimelineMark,
  saveTimelineMark,
  trimExchange,
  type StorageAreaLike,
} from '../../src/extension/platform/exchange-persistence';
import { ExchangeStream } from '../../src/extension/platform/exchange-stream';
import type { HarEntryLike } from '../../src/extension/platform/har-to-exchange';

/** storage.session stand-in: values go through JSON like the real one's serialization. */
function memoryStorage(): StorageAreaLike & { data: Map<string, string>; bytes(): number } {
  const data = new Map<string, string>();
  return {
    data,
    bytes: () => [...data].reduce((sum, [k, v]) => sum + k.length + v.length, 0),
    get: async (keys) => {
      const wanted = keys === null ? [...data.keys()] : Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(wanted.filter((k) => data.has(k)).map((k) => [k, JSON.parse(data.get(k)!) as unknown]));
    },
    set: async (items) => {
      for (const [k, v] of Object.entries(items)) data.set(k, JSON.stringify(v));
    },
    remove: async (keys) => {
      for (const k of Array.isArray(keys) ? keys : [keys]) data.delete(k);
    },
  };
}

/** What a storage holds for `keys`, read without its (possibly replaced) get. */
function readBack(storage: ReturnType<typeof memoryStorage>, keys: string | string[] | null): Record<string, unknown> {
  const wanted = keys === null ? [...storage.data.keys()] : Array.isArray(keys) ? keys : [keys];
  return Object.fromEntries(wanted.filter((k) => storage.data.has(k)).map((k) => [k, JSON.parse(storage.data.get(k)!) as unknown]));
}

function exchange(seq: number, extra: Partial<CapturedExchange> = {}): CapturedExchange {
  return {
    seq,
    startedAt: 1_700_000_000_000 + seq,
    method: 'GET',
    url: `http://127.0.0.1:5000/page?i=${seq}`,
    status: 200,
    requestHeaders: [
      { name: 'Cookie', value: `session=value-${seq}` },
      { name: 'Authorization', value: 'Bearer secret-token' },
      { name: 'User-Agent', value: 'x'.repeat(100) },
    ],
    responseHeaders: [
      { name: 'Set-Cookie', value: `session=value-${seq + 1}; HttpOnly; Path=/` },
      { name: 'Vary', value: 'Cookie' },
      { name: 'Content-Type', value: 'text/html' },
      { name: 'Date', value: 'Wed, 25 Nov 2026 17:37:41 GMT' },
    ],
    resourceType: 'fetch',
    ...extra,
  };
}

const har = (path: string): HarEntryLike => ({
  startedDateTime: '2026-01-01T00:00:00.000Z',
  request: { method: 'GET', url: `http://127.0.0.1:5000${path}`, headers: [] },
  response: { status: 200, headers: [] },
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('trimExchange', () => {
  it('keeps only the headers the timeline needs', () => {
    const trimmed = trimExchange(exchange(1, { redirectURL: '/next' }));
    expect(trimmed.requestHeaders.map((h) => h.name)).toEqual(['Cookie']);
    expect(trimmed.responseHeaders.map((h) => h.name)).toEqual(['Set-Cookie', 'Vary', 'Date']);
    expect(trimmed).toMatchObject({ seq: 1, method: 'GET', status: 200, redirectURL: '/next', resourceType: 'fetch' });
  });
});

describe('ExchangeHistory', () => {
  it('saves what it records and a later session loads it back, trimmed', async () => {
    const storage = memoryStorage();
    const first = new ExchangeHistory({ storage, tabId: 7, saveDelayMs: 0 });
    expect(await first.load()).toBeNull();
    first.record([exchange(1), exchange(2)]);
    first.record([exchange(2), exchange(3)]); // a repeated one is ignored
    await first.flush();
    const restored = await new ExchangeHistory({ storage, tabId: 7 }).load();
    expect(restored!.exchanges.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(restored!.dropped).toBe(0);
    expect(JSON.stringify(restored)).not.toContain('secret-token');
    expect(await new ExchangeHistory({ storage, tabId: 8 }).load()).toBeNull();
  });

  it('a flush writes the history before it awaits anything, even behind a save still in progress (a closing page may not see an await resolve)', async () => {
    const storage = memoryStorage();
    const history = new ExchangeHistory({ storage, tabId: 7, saveDelayMs: 0 });
    expect(await history.load()).toBeNull();
    // From here on every read hangs, as it does for a page that DevTools is tearing down.
    storage.get = () => new Promise(() => {});
    history.record([exchange(1)]);
    void history.flush(); // its index update now hangs, holding the save chain
    history.record([exchange(2)]);
    void history.flush();
    const restored = await new ExchangeHistory({ storage: { ...storage, get: async (keys) => readBack(storage, keys) }, tabId: 7 }).load();
    expect(restored!.exchanges.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('keeps the newest exchanges that fit the per-tab byte budget and counts the rest', async () => {
    const storage = memoryStorage();
    const size = jsonBytes(trimExchange(exchange(10)));
    // One exchange per chunk: 64 bytes of envelope per history and per chunk.
    const options = { storage, tabId: 1, chunkSize: 1, tabBudgetBytes: 64 + 5 * (64 + size), saveDelayMs: 0 };
    const history = new ExchangeHistory(options);
    await history.load();
    history.record(Array.from({ length: 12 }, (_, i) => exchange(i + 10)));
    await history.flush();
    const restored = await new ExchangeHistory({ storage, tabId: 1 }).load();
    expect(restored!.exchanges.map((e) => e.seq)).toEqual([17, 18, 19, 20, 21]);
    expect(restored!.dropped).toBe(7);
    // Evicted chunks are deleted from storage.
    expect([...storage.data.keys()].filter((k) => k.startsWith(`${historyKey(1)}.`))).toHaveLength(5);
    // A later session adds to the count of what was dropped before it.
    const next = new ExchangeHistory(options);
    await next.load();
    next.record([exchange(22)]);
    await next.flush();
    expect((await new ExchangeHistory({ storage, tabId: 1 }).load())!.dropped).toBe(8);
  });

  it('writes only the chunks that changed', async () => {
    const storage = memoryStorage();
    const written: string[][] = [];
    const set = storage.set;
    storage.set = async (items) => {
      const chunks = Object.keys(items).filter((k) => k !== HISTORY_INDEX_KEY && k !== historyKey(2));
      if (chunks.length > 0) written.push(chunks);
      await set(items);
    };
    const history = new ExchangeHistory({ storage, tabId: 2, chunkSize: 100, saveDelayMs: 0 });
    history.record(Array.from({ length: 250 }, (_, i) => exchange(i + 1)));
    await history.flush();
    history.record([exchange(251)]);
    await history.flush();
    expect(written).toEqual([[chunkKey(2, 0), chunkKey(2, 1), chunkKey(2, 2)], [chunkKey(2, 2)]]);
    const restored = await new ExchangeHistory({ storage, tabId: 2, chunkSize: 100, saveDelayMs: 0 }).load();
    expect(restored!.exchanges.map((e) => e.seq)).toEqual(Array.from({ length: 251 }, (_, i) => i + 1));
  });

  it('a save that fails is written again with the next one: no chunk is left out', async () => {
    const storage = memoryStorage();
    const realSet = storage.set;
    let failures = 1;
    storage.set = async (items) => {
      if (failures-- > 0) throw new Error('Extension context invalidated.');
      return realSet(items);
    };
    const history = new ExchangeHistory({ storage, tabId: 4, chunkSize: 2, saveDelayMs: 0, minSaveIntervalMs: 0 });
    history.record([exchange(1), exchange(2), exchange(3)]); // chunks 0 (full) and 1
    await history.flush(); // fails: nothing stored
    history.record([exchange(4), exchange(5)]); // chunk 0 is not touched again
    await history.flush();
    await new Promise((resolve) => setTimeout(resolve, 10)); // and the retry the failure scheduled
    const restored = await new ExchangeHistory({ storage, tabId: 4, chunkSize: 2, saveDelayMs: 0 }).load();
    expect(restored!.exchanges.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a save refused for quota frees the oldest chunks and saves again: the newest are stored, the rest counted', async () => {
    const storage = memoryStorage();
    const realSet = storage.set;
    const quota = 40 * jsonBytes(trimExchange(exchange(1)));
    let refused = 0;
    storage.set = async (items) => {
      const after = new Map(storage.data);
      for (const [k, v] of Object.entries(items)) after.set(k, JSON.stringify(v));
      if ([...after].reduce((sum, [k, v]) => sum + k.length + v.length, 0) > quota) {
        refused += 1;
        throw new Error('Session storage quota bytes exceeded. Values were not stored.');
      }
      return realSet(items);
    };
    // A budget the quota cannot hold, as when the browser counts more than the estimate.
    const history = new ExchangeHistory({ storage, tabId: 6, chunkSize: 5, saveDelayMs: 0, minSaveIntervalMs: 0, tabBudgetBytes: quota * 4 });
    for (let seq = 1; seq <= 200; seq += 10) {
      history.record(Array.from({ length: 10 }, (_, i) => exchange(seq + i)));
      await history.flush();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await history.flush();
    expect(refused).toBeGreaterThan(0);
    expect(storage.bytes()).toBeLessThanOrEqual(quota);
    const restored = await new ExchangeHistory({ storage, tabId: 6, chunkSize: 5, saveDelayMs: 0 }).load();
    const seqs = restored!.exchanges.map((e) => e.seq);
    expect(seqs.at(-1)).toBe(200);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => 200 - seqs.length + 1 + i));
    expect(restored!.dropped + seqs.length).toBe(200);
  });

  it('evicts the least recently saved other tabs to stay within the total budget', async () => {
    const storage = memoryStorage();
    const size = jsonBytes(trimExchange(exchange(1)));
    const options = { storage, saveDelayMs: 0, tabBudgetBytes: size * 4 + 256, totalBudgetBytes: (size * 4 + 256) * 2, now: () => clock };
    let clock = 1;
    for (const tabId of [1, 2, 3]) {
      const h = new ExchangeHistory({ ...options, tabId });
      h.record([exchange(1), exchange(2), exchange(3)]);
      await h.flush();
      clock += 1;
    }
    expect(storage.data.has(historyKey(1))).toBe(false);
    expect(storage.data.has(chunkKey(1, 0))).toBe(false);
    expect(storage.data.has(historyKey(2))).toBe(true);
    expect(storage.data.has(chunkKey(2, 0))).toBe(true);
    expect(storage.data.has(historyKey(3))).toBe(true);
    expect(Object.keys(JSON.parse(storage.data.get(HISTORY_INDEX_KEY)!) as object)).toEqual(['2', '3']);
  });

  it('removes the histories of closed tabs when it loads', async () => {
    const storage = memoryStorage();
    for (const tabId of [1, 2]) {
      const h = new ExchangeHistory({ storage, tabId, saveDelayMs: 0 });
      h.record([exchange(1)]);
      await h.flush();
    }
    await new ExchangeHistory({ storage, tabId: 2, tabExists: async (id) => id === 2 }).load();
    expect(storage.data.has(historyKey(1))).toBe(false);
    expect(storage.data.has(chunkKey(1, 0))).toBe(false);
    expect(storage.data.has(historyKey(2))).toBe(true);
  });

  it('ignores damaged stored data', async () => {
    const storage = memoryStorage();
    await storage.set({ [historyKey(4)]: { version: 3, dropped: 0, savedAt: 0, chunks: [0, 1, 2] }, [chunkKey(4, 0)]: JSON.stringify([exchange(1), { seq: 'x' }, null]), [chunkKey(4, 2)]: '[{"seq":' });
    const restored = await new ExchangeHistory({ storage, tabId: 4 }).load();
    expect(restored!.exchanges.map((e) => e.seq)).toEqual([1]);
    expect(restored!.dropped).toBe(2);
    await storage.set({ [historyKey(5)]: 'garbage' });
    expect(await new ExchangeHistory({ storage, tabId: 5 }).load()).toBeNull();
  });

  it('stores the timeline mark per tab', async () => {
    const storage = memoryStorage();
    expect(await loadTimelineMark(3, storage)).toBe(0);
    await saveTimelineMark(3, 42, storage);
    expect(await loadTimelineMark(3, storage)).toBe(42);
    expect(await loadTimelineMark(4, storage)).toBe(0);
    expect(await loadTimelineMark(3, undefined)).toBe(0);
  });
});

describe('ExchangeStream.restoreFirst', () => {
  it('puts the restored exchanges first and numbers new ones after them', async () => {
    const stream = new ExchangeStream({ schedule: (flush) => queueMicrotask(flush) });
    let resolve!: (value: { exchanges: CapturedExchange[]; dropped: number }) => void;
    const restoring = stream.restoreFirst(new Promise((r) => (resolve = r)));
    const batches: number[][] = [];
    const infos: number[] = [];
    stream.subscribe((batch, info) => {
      batches.push(batch.map((e) => e.seq));
      infos.push(info.dropped);
    });
    stream.recordHar(har('/during-restore'));
    expect(stream.size).toBe(0);
    resolve({ exchanges: [exchange(40), exchange(41)], dropped: 3 });
    await restoring;
    await settle();
    stream.recordHar(har('/after'));
    await settle();
    expect(batches).toEqual([[], [40, 41, 42], [43]]);
    expect(infos.at(-1)).toBe(3);
    expect(stream.dropped).toBe(3);
    expect(() => stream.restoreFirst(Promise.resolve(null))).toThrow(/once, before recording/);
  });

  it('carries on without history when the restore fails', async () => {
    const stream = new ExchangeStream({ schedule: (flush) => flush() });
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const restoring = stream.restoreFirst(Promise.reject(new Error('quota')));
      stream.recordHar(har('/a'));
      await restoring;
    } finally {
      console.warn = warn;
    }
    const seqs: number[] = [];
    stream.subscribe((batch) => seqs.push(...batch.map((e) => e.seq)));
    expect(seqs).toEqual([1]);
  });
});

describe('startExchangeCollector with a history', () => {
  it('restores the earlier session before the HAR backlog and saves what follows', async () => {
    const storage = memoryStorage();
    const earlier = new ExchangeHistory({ storage, tabId: 9, saveDelayMs: 0 });
    earlier.record([exchange(1), exchange(2)]);
    await earlier.flush();

    const finished = new Set<(e: HarEntryLike) => void>();
    const devtools: DevtoolsLike = {
      inspectedWindow: { tabId: 9, eval: () => undefined },
      network: {
        onRequestFinished: { addListener: (l) => void finished.add(l), removeListener: (l) => void finished.delete(l) },
        getHAR: (cb) => cb?.({ entries: [har('/from-har')] }),
      },
      panels: { create: () => undefined },
    };
    const history = new ExchangeHistory({ storage, tabId: 9, saveDelayMs: 0 });
    const stream = startExchangeCollector({ devtools, history, schedule: (flush) => flush() });
    finished.forEach((l) => l(har('/live')));
    await settle();
    const seen: string[] = [];
    stream.subscribe((batch) => seen.push(...batch.map((e) => `${e.seq} ${new URL(e.url).pathname}`)));
    expect(seen).toEqual(['1 /page', '2 /page', '3 /from-har', '4 /live']);
    await history.flush();
    const saved = await new ExchangeHistory({ storage, tabId: 9 }).load();
    expect(saved!.exchanges.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('numbers new exchanges after the Clear mark when the last save before closing was lost', async () => {
    const storage = memoryStorage();
    const earlier = new ExchangeHistory({ storage, tabId: 9, saveDelayMs: 0 });
    earlier.record([exchange(1), exchange(2)]);
    await earlier.flush();
    // Exchange 3 reached the panel, which cleared through it; DevTools closed before 3 was saved.
    earlier.record([exchange(3)]);
    await saveTimelineMark(9, 3, storage);

    const finished = new Set<(e: HarEntryLike) => void>();
    const devtools: DevtoolsLike = {
      inspectedWindow: { tabId: 9, eval: () => undefined },
      network: {
        onRequestFinished: { addListener: (l) => void finished.add(l), removeListener: (l) => void finished.delete(l) },
        getHAR: (cb) => cb?.({ entries: [] }),
      },
      panels: { create: () => undefined },
    };
    const stream = startExchangeCollector({ devtools, history: new ExchangeHistory({ storage, tabId: 9, saveDelayMs: 0 }), schedule: (flush) => flush() });
    finished.forEach((l) => l(har('/after-clear')));
    await settle();
    const seen: string[] = [];
    stream.subscribe((batch) => seen.push(...batch.map((e) => `${e.seq} ${new URL(e.url).pathname}`)));
    expect(seen).toEqual(['1 /page', '2 /page', '4 /after-clear']);
    // The timeline hides what the mark covers: the new exchange stays visible.
    const mark = await loadTimelineMark(9, storage);
    expect(seen.filter((e) => Number(e.split(' ')[0]) > mark)).toEqual(['4 /after-clear']);
  });

  it('numbers after the Clear mark when no history was saved at all', async () => {
    const storage = memoryStorage();
    await saveTimelineMark(9, 5, storage);
    expect(await new ExchangeHistory({ storage, tabId: 9 }).load()).toEqual({ exchanges: [], dropped: 0, lastSeq: 5 });
    expect(await new ExchangeHistory({ storage, tabId: 10 }).load()).toBeNull();
  });
});
