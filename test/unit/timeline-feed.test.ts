import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  TimelineBuilder,
  TimelineFeed,
  type CapturedExchange,
  type JarChange,
  type TimelineEntry,
} from '../../src/core';
import { HTTP_SEQUENCE_SECRET, httpSequences, stepToExchange } from '../support/sequences';

const basic = () => httpSequences().find((s) => s.name === 'basic-lifecycle')!;
const exchangesOf = (name: string): CapturedExchange[] =>
  httpSequences()
    .find((s) => s.name === name)!
    .steps.map((step, i) => stepToExchange(step, i + 1));

const summary = (entries: readonly TimelineEntry[]) => entries.map((e) => `${e.kind}:${e.seq}:${e.event}`);

function exchange(seq: number, startedAt: number, path: string, response: [string, string][] = [], cookie?: string): CapturedExchange {
  return {
    seq,
    startedAt,
    method: 'GET',
    url: `http://127.0.0.1:5000${path}`,
    status: 200,
    requestHeaders: cookie ? [{ name: 'Cookie', value: `session=${cookie}` }] : [],
    responseHeaders: response.map(([name, value]) => ({ name, value })),
  };
}

function jar(seq: number, at: number, value: string, cause: JarChange['cause'] = 'explicit', removed = false): JarChange {
  return { seq, at, name: 'session', value, domain: '127.0.0.1', removed, cause };
}

describe('TimelineFeed', () => {
  it('gives the same entries as a TimelineBuilder fed directly, however the stream is batched', () => {
    const all = exchangesOf('basic-lifecycle');
    const builder = new TimelineBuilder(DEFAULT_SETTINGS);
    const direct = all.map((e) => builder.addExchange(e));

    const feed = new TimelineFeed(DEFAULT_SETTINGS);
    // The panel passes its whole, growing list every time.
    for (const end of [1, 2, 2, 7, 11, all.length]) feed.sync(all.slice(0, end), [], 0);
    expect(summary(feed.entries)).toEqual(summary(direct));
    expect(feed.entries.map((e) => e.kind === 'http' && e.changes.length)).toEqual(direct.map((e) => e.changes.length));
    expect(feed.lastSeq).toBe(all.length);
    expect(basic().steps).toHaveLength(all.length);
  });

  it("a feed rebuilt for a new key with the old feed's readings re-verifies: the same entries as a fresh feed with that key", () => {
    const verdicts = (entries: readonly TimelineEntry[]) =>
      entries.map((e) => (e.kind === 'http' ? `${e.seq}:${e.event}:${e.sent?.verdict}:${e.set?.state?.verdict}:${e.diagnostics.map((d) => d.code).join(',')}` : e.seq));
    const keyed = { ...DEFAULT_SETTINGS, secrets: [{ text: HTTP_SEQUENCE_SECRET }] };
    for (const sequence of httpSequences()) {
      const all = sequence.steps.map((step, i) => stepToExchange(step, i + 1));
      const unkeyed = new TimelineFeed(DEFAULT_SETTINGS);
      unkeyed.sync(all, [], 0);
      const rebuilt = new TimelineFeed(keyed, { readings: unkeyed.readings });
      rebuilt.sync(all, [], 0);
      const fresh = new TimelineFeed(keyed);
      fresh.sync(all, [], 0);
      expect(verdicts(rebuilt.entries), sequence.name).toEqual(verdicts(fresh.entries));
      // And back: the key's verdicts do not stay behind in the shared readings.
      const cleared = new TimelineFeed(DEFAULT_SETTINGS, { readings: rebuilt.readings });
      cleared.sync(all, [], 0);
      expect(verdicts(cleared.entries), sequence.name).toEqual(verdicts(unkeyed.entries));
    }
    const all = exchangesOf('basic-lifecycle');
    const withKey = new TimelineFeed(keyed);
    withKey.sync(all, [], 0);
    const without = new TimelineFeed(DEFAULT_SETTINGS);
    without.sync(all, [], 0);
    expect(verdicts(withKey.entries)).not.toEqual(verdicts(without.entries)); // the key matters here, so the comparison above can fail
  });

  it('spreads a rebuild over several calls with maxItems', () => {
    const all = exchangesOf('basic-lifecycle');
    const feed = new TimelineFeed(DEFAULT_SETTINGS);
    const rounds: number[] = [];
    for (;;) {
      const { added, remaining } = feed.sync(all, [], 0, 5);
      rounds.push(added);
      if (remaining === 0) break;
    }
    expect(rounds).toEqual([5, 5, 5, 1]);
    const oneGo = new TimelineFeed(DEFAULT_SETTINGS);
    oneGo.sync(all, [], 0);
    expect(summary(feed.entries)).toEqual(summary(oneGo.entries));
  });

  it('keeps at most `capacity` entries, newest last, and counts the dropped ones', () => {
    const feed = new TimelineFeed(DEFAULT_SETTINGS, { capacity: 5 });
    const many = Array.from({ length: 12 }, (_, i) => exchange(i + 1, 1000 + i, `/page?i=${i}`));
    feed.sync(many.slice(0, 4), [], 0);
    expect(feed.entries).toHaveLength(4);
    expect(feed.dropped).toBe(0);
    feed.sync(many, [], 0);
    expect(feed.entries.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(feed.dropped).toBe(7);
  });

  it('returns a new entries array only when something changed', () => {
    const feed = new TimelineFeed(DEFAULT_SETTINGS);
    const all = exchangesOf('basic-lifecycle');
    feed.sync(all.slice(0, 3), [], 0);
    const first = feed.entries;
    const version = feed.version;
    feed.sync(all.slice(0, 3), [], 0);
    expect(feed.entries).toBe(first);
    expect(feed.version).toBe(version);
    feed.sync(all.slice(0, 4), [], 0);
    expect(feed.entries).not.toBe(first);
    expect(feed.version).toBeGreaterThan(version);
  });

  it('clear() empties the list but keeps classifying with what came before', () => {
    const all = exchangesOf('basic-lifecycle');
    const steps = basic().steps.map((s) => s.step);
    const feed = new TimelineFeed(DEFAULT_SETTINGS, { capacity: 3 });
    const upToModify = steps.indexOf('modify');
    feed.sync(all.slice(0, upToModify), [], 0);
    expect(feed.dropped).toBeGreaterThan(0);
    feed.clear();
    expect(feed.entries).toEqual([]);
    expect(feed.dropped).toBe(0);
    feed.sync(all.slice(0, upToModify + 1), [], 0);
    expect(summary(feed.entries)).toEqual([`http:${upToModify + 1}:modified`]);
  });

  it('clear(throughSeq) hides those exchanges even before they are fed (a mark restored from storage)', () => {
    const all = exchangesOf('basic-lifecycle');
    const feed = new TimelineFeed(DEFAULT_SETTINGS);
    feed.clear(4);
    feed.sync(all, [], 0);
    expect(feed.entries[0]!.seq).toBe(5);
    expect(feed.entries).toHaveLength(all.length - 4);
    // Hiding part of the list (a navigation without "Preserve log") keeps the rest.
    feed.clear(10);
    expect(feed.entries.map((e) => e.seq)).toEqual(all.slice(10).map((e) => e.seq));
    expect(feed.clearedThrough).toEqual({ exchanges: 10, jar: -Infinity });
    // A rebuilt feed hides the same entries.
    const rebuilt = new TimelineFeed(DEFAULT_SETTINGS);
    rebuilt.clear(feed.clearedThrough.exchanges, feed.clearedThrough.jar);
    rebuilt.sync(all, [], 0);
    expect(summary(rebuilt.entries)).toEqual(summary(feed.entries));
  });

  describe('cookie-jar changes', () => {
    const value = 'eyJ1c2VyIjoiYWxpY2UifQ.ZzZzZw.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const setCookie: [string, string] = ['Set-Cookie', `session=${value}; HttpOnly; Path=/`];

    it('holds a jar write back until the response that explains it is in (then it is not listed)', () => {
      const feed = new TimelineFeed(DEFAULT_SETTINGS, { jarSettleMs: 1000 });
      // The browser stores the cookie (t=1050) before DevTools reports the request (started t=1000).
      feed.sync([], [jar(1, 1050, value)], 1060);
      expect(feed.entries).toEqual([]);
      expect(feed.pendingJarChanges).toBe(1);
      expect(feed.nextSettleAt()).toBe(2050);
      feed.sync([exchange(1, 1000, '/login', [setCookie])], [jar(1, 1050, value)], 1200);
      expect(summary(feed.entries)).toEqual(['http:1:created']);
      feed.sync([exchange(1, 1000, '/login', [setCookie])], [jar(1, 1050, value)], 3000);
      expect(summary(feed.entries)).toEqual(['http:1:created']);
      expect(feed.pendingJarChanges).toBe(0);
    });

    it('lists writes and removals nobody sent, once settled or once a later request starts', () => {
      const feed = new TimelineFeed(DEFAULT_SETTINGS, { jarSettleMs: 1000 });
      const exchanges = [exchange(1, 1000, '/login', [setCookie])];
      const changes = [jar(1, 1050, value), jar(2, 5000, 'eyJ1c2VyIjoibWFsbG9yeSJ9.ZzZzZw.b3RoZXItc2lnbmF0dXJlLXh4')];
      feed.sync(exchanges, changes, 5100);
      expect(summary(feed.entries)).toEqual(['http:1:created']);
      feed.sync(exchanges, changes, 6000);
      expect(summary(feed.entries)).toEqual(['http:1:created', 'jar:2:overwritten']);

      changes.push(jar(3, 7000, '', 'expired', true));
      feed.sync(exchanges, changes, 7001);
      expect(feed.pendingJarChanges).toBe(1);
      // A request that started after the expiry releases it, before that request's own entry.
      exchanges.push(exchange(2, 7005, '/whoami'));
      feed.sync(exchanges, changes, 7010);
      expect(summary(feed.entries)).toEqual(['http:1:created', 'jar:2:overwritten', 'jar:3:expired', 'http:2:untouched']);
    });

    it('after Clear, hides the jar changes received before it and shows later ones', () => {
      const feed = new TimelineFeed(DEFAULT_SETTINGS, { jarSettleMs: 1000 });
      const exchanges = [exchange(1, 1000, '/login', [setCookie])];
      const changes = [jar(1, 1050, 'eyJ1c2VyIjoiYSJ9.ZzZzZw.page-script-value-1')];
      feed.sync(exchanges, changes, 1100);
      feed.clear();
      feed.sync(exchanges, changes, 9000);
      expect(feed.entries).toEqual([]);
      changes.push(jar(2, 9500, 'eyJ1c2VyIjoiYiJ9.ZzZzZw.page-script-value-2'));
      feed.sync(exchanges, changes, 11_000);
      expect(summary(feed.entries)).toEqual(['jar:2:overwritten']);
    });

    it('ignores changes to cookies that are not sessions', () => {
      const feed = new TimelineFeed(DEFAULT_SETTINGS, { jarSettleMs: 0 });
      feed.sync([], [{ seq: 1, at: 1, name: 'theme', value: 'dark', domain: '127.0.0.1', removed: false, cause: 'explicit' }], 10);
      expect(feed.entries).toEqual([]);
    });
  });
});
