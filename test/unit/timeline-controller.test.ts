import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS, type CapturedExchange, type HttpTimelineEntry, type SessionSettings } from '../../src/core';
import { TimelineController, type TimelineInputs } from '../../src/extension/panel/timeline/timeline-controller';
import { HTTP_SEQUENCE_SECRET, httpSequences, stepToExchange } from '../support/sequences';

const steps = httpSequences().find((s) => s.name === 'basic-lifecycle')!.steps;
const all: CapturedExchange[] = steps.map((step, i) => stepToExchange(step, i + 1));
const inputs = (exchanges: CapturedExchange[], extra: Partial<TimelineInputs> = {}): TimelineInputs => ({
  exchanges,
  jarChanges: [],
  settings: DEFAULT_SETTINGS,
  preserveLog: true,
  ...extra,
});
const seqs = (c: TimelineController) => c.getSnapshot().entries.map((e) => e.seq);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TimelineController', () => {
  it('builds in slices and tells listeners', async () => {
    const c = new TimelineController({ slice: 5 });
    let calls = 0;
    c.subscribe(() => (calls += 1));
    c.setInputs(inputs(all));
    expect(seqs(c)).toEqual([1, 2, 3, 4, 5]);
    expect(c.getSnapshot().rebuilding).toBe(true);
    await vi.runAllTimersAsync();
    expect(seqs(c)).toEqual(all.map((e) => e.seq));
    expect(c.getSnapshot().rebuilding).toBe(false);
    expect(calls).toBeGreaterThanOrEqual(4);
  });

  it('hides what was cleared before, from the stored mark, and stores new marks', async () => {
    const saved: number[] = [];
    const c = new TimelineController({ loadMark: async () => 4, saveMark: async (seq) => void saved.push(seq) });
    c.setInputs(inputs(all.slice(0, 8)));
    expect(seqs(c)).toEqual([]); // waiting for the mark
    await vi.runAllTimersAsync();
    expect(seqs(c)).toEqual([5, 6, 7, 8]);
    c.clear();
    expect(seqs(c)).toEqual([]);
    expect(saved).toEqual([8]);
    c.setInputs(inputs(all.slice(0, 10)));
    expect(seqs(c)).toEqual([9, 10]);
  });

  it('applies a stored mark that arrives after the backlog was shown without it', async () => {
    let resolve!: (seq: number) => void;
    const c = new TimelineController({ markTimeoutMs: 1_000, loadMark: () => new Promise((r) => (resolve = r)), saveMark: async () => undefined });
    c.setInputs(inputs(all.slice(0, 8)));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seqs(c)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // shown anyway
    resolve(6);
    await vi.runAllTimersAsync();
    expect(seqs(c)).toEqual([7, 8]);
    c.setInputs(inputs(all.slice(0, 10)));
    expect(seqs(c)).toEqual([7, 8, 9, 10]);
  });

  it('without Preserve log, a main-frame navigation starts the list afresh', async () => {
    const saved: number[] = [];
    const c = new TimelineController({ saveMark: async (seq) => void saved.push(seq) });
    const withNav = all.map((e) => (e.seq === 7 ? { ...e, resourceType: 'document' } : e));
    c.setInputs(inputs(withNav.slice(0, 5), { preserveLog: false }));
    expect(seqs(c)).toEqual([1, 2, 3, 4, 5]);
    c.setInputs(inputs(withNav.slice(0, 9), { preserveLog: false }));
    expect(seqs(c)).toEqual([7, 8, 9]);
    expect(saved).toEqual([6]);
    // With Preserve log, navigations keep the history.
    const d = new TimelineController();
    d.setInputs(inputs(withNav.slice(0, 9)));
    expect(seqs(d)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rebuilds at once for a pasted key, and once typing pauses for changes that follow quickly', async () => {
    const c = new TimelineController({ rebuildDelayMs: 200 });
    c.setInputs(inputs(all));
    const tamperedSeq = steps.findIndex((s) => s.step === 'tampered-cookie') + 1;
    const tampered = () => c.getSnapshot().entries.find((e) => e.seq === tamperedSeq) as HttpTimelineEntry;
    const codes = () => tampered().diagnostics.map((d) => d.code);
    expect(codes()).not.toContain('bad-signature');
    const withSecret: SessionSettings = { ...DEFAULT_SETTINGS, secrets: [{ text: HTTP_SEQUENCE_SECRET }] };
    // Pasted after a quiet spell: rebuilt at once, with no timer run.
    c.setInputs(inputs(all, { settings: withSecret }));
    expect(tampered().event).toBe('rejected');
    expect(codes()).toContain('bad-signature');
    expect(seqs(c)).toEqual(all.map((e) => e.seq));
    // Changes within the delay of each other (typing): the old timeline stays until they pause.
    await vi.advanceTimersByTimeAsync(150);
    c.setInputs(inputs(all, { settings: DEFAULT_SETTINGS }));
    await vi.advanceTimersByTimeAsync(100);
    c.setInputs(inputs(all, { settings: { ...withSecret, secrets: [{ text: 'partial' }] } }));
    await vi.advanceTimersByTimeAsync(100);
    c.setInputs(inputs(all, { settings: withSecret }));
    await vi.advanceTimersByTimeAsync(150);
    expect(tampered().event).toBe('rejected'); // still the timeline of the first paste
    c.setInputs(inputs(all, { settings: DEFAULT_SETTINGS }));
    await vi.advanceTimersByTimeAsync(199);
    expect(codes()).toContain('bad-signature');
    await vi.advanceTimersByTimeAsync(1);
    await vi.runAllTimersAsync();
    expect(codes()).not.toContain('bad-signature');
    expect(seqs(c)).toEqual(all.map((e) => e.seq));
    // The same settings again (a new object) do not rebuild.
    const before = c.getSnapshot().entries;
    c.setInputs(inputs(all, { settings: { ...DEFAULT_SETTINGS } }));
    await vi.runAllTimersAsync();
    expect(c.getSnapshot().entries).toBe(before);
  });

  it('runs its slices through the given task scheduler, and none after dispose', async () => {
    const queued: (() => void)[] = [];
    const c = new TimelineController({ slice: 5, nextTask: (run) => void queued.push(run) });
    c.setInputs(inputs(all));
    expect(seqs(c)).toEqual([1, 2, 3, 4, 5]);
    expect(queued).toHaveLength(1);
    queued.shift()!();
    expect(seqs(c)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    c.dispose();
    queued.shift()!();
    expect(seqs(c)).toHaveLength(10);
  });

  it('keeps a cleared list cleared across a rebuild', async () => {
    const c = new TimelineController({ rebuildDelayMs: 0 });
    c.setInputs(inputs(all.slice(0, 6)));
    c.clear();
    c.setInputs(inputs(all.slice(0, 6), { settings: { ...DEFAULT_SETTINGS, secrets: [{ text: 'x' }] } }));
    await vi.runAllTimersAsync();
    expect(seqs(c)).toEqual([]);
    c.setInputs(inputs(all.slice(0, 7), { settings: { ...DEFAULT_SETTINGS, secrets: [{ text: 'x' }] } }));
    expect(seqs(c)).toEqual([7]);
  });
});

describe('TimelineController slice budget', () => {
  // Many copies of the basic sequence, renumbered: enough exchanges for several slices.
  const many: CapturedExchange[] = Array.from({ length: 300 }, (_, i) => ({ ...all[i % all.length]!, seq: i + 1 }));
  const sliceSizes = async (msPerClockRead: number): Promise<number[]> => {
    let clock = 0;
    // The clock moves on each read, so every slice seems to cost what the budget is compared with.
    const c = new TimelineController({ slice: 20, sliceBudgetMs: 10, now: () => (clock += msPerClockRead) });
    const sizes: number[] = [];
    c.subscribe(() => sizes.push(c.getSnapshot().entries.length - sizes.reduce((a, b) => a + b, 0)));
    c.setInputs(inputs(many));
    await vi.runAllTimersAsync();
    expect(seqs(c)).toEqual(many.map((e) => e.seq));
    c.dispose();
    return sizes;
  };

  it('makes slices smaller when a slice overruns the budget, and larger when it is cheap; all exchanges arrive either way', async () => {
    const slow = await sliceSizes(20); // a slice of 20 "takes" 20 ms: 1 ms each, so 10 per slice after
    expect(slow[0]).toBe(20);
    expect(Math.max(...slow.slice(1))).toBe(10);
    // Under the clock's millisecond (counted as 1 ms): 20 in 1 ms would allow 200 in 10 ms, but a
    // slice at most doubles (the cost per exchange can jump), so 40, 80, then the rest.
    expect(await sliceSizes(0)).toEqual([20, 40, 80, 160]);
  });
});
