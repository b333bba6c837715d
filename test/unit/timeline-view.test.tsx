import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, PY_NONE, TimelineFeed, py, type HttpTimelineEntry, type TimelineEntry } from '../../src/core';
import { TimelineDetails } from '../../src/extension/panel/timeline/TimelineDetails';
import { EVENT_LABELS, compileFilter, exportFileName, formatClock, payloadLines, worstSeverity } from '../../src/extension/panel/timeline/model';
import { HTTP_SEQUENCE_SECRET, httpSequences, stepToExchange } from '../support/sequences';

function basicEntries(secrets: string[] = []): { entries: readonly TimelineEntry[]; byStep: (step: string) => HttpTimelineEntry } {
  const steps = httpSequences().find((s) => s.name === 'basic-lifecycle')!.steps;
  const feed = new TimelineFeed({ ...DEFAULT_SETTINGS, secrets: secrets.map((text) => ({ text })) });
  feed.sync(
    steps.map((step, i) => stepToExchange(step, i + 1)),
    [],
    0,
  );
  const entries = feed.entries;
  return { entries, byStep: (step) => entries[steps.findIndex((s) => s.step === step)] as HttpTimelineEntry };
}

/** Text of rendered markup, tags removed and entities decoded. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&gt;/g, '>')
    .replace(/&lt;/g, '<')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('timeline words', () => {
  it('writes the event names exactly as the accessibility contract says', () => {
    expect(['created', 'modified', 'refreshed', 'deleted', 'rejected', 'read', 'untouched'].map((e) => EVENT_LABELS[e as keyof typeof EVENT_LABELS])).toEqual([
      'Created',
      'Modified',
      'Refreshed',
      'Deleted',
      'Rejected',
      'Read',
      'Untouched',
    ]);
  });

  it('filters on path, event, status, method and diagnostic codes; all terms must match; -term excludes', () => {
    const { entries } = basicEntries();
    const paths = (filter: string) => entries.filter(compileFilter(filter)).map((e) => (e as HttpTimelineEntry).path);
    expect(paths('')).toHaveLength(entries.length);
    expect(paths('modified')).toEqual(['/modify', '/cart-init', '/mutate-nested-flagged', '/pop']);
    expect(paths('MODIFIED -cart')).toEqual(['/modify', '/mutate-nested-flagged', '/pop']);
    expect(paths('write-not-saved')).toEqual(['/mutate-nested']);
    expect(paths('500')).toEqual(entries.filter((e) => e.kind === 'http' && e.status === 500).map((e) => (e as HttpTimelineEntry).path));
    expect(paths('post deleted')).toEqual(entries.filter((e) => e.kind === 'http' && e.method === 'POST' && e.event === 'deleted').map((e) => (e as HttpTimelineEntry).path));
    expect(paths('nothing-matches-this')).toEqual([]);
  });

  it('lays payloads out as indented lines, short containers inline', () => {
    const payload = py.dict([
      ['user', py.str('alice')],
      ['cart', py.list([py.str('y')])],
      ['deep', py.dict([['items', py.list(Array.from({ length: 30 }, (_, i) => py.int(i)))]])],
    ]);
    const lines = payloadLines(payload).map((l) => `${'  '.repeat(l.depth)}${l.label}${l.text}`);
    expect(lines.slice(0, 4)).toEqual(["{ 3 items", "  'user': 'alice'", "  'cart': ['y']", "  'deep': { 1 item"]);
    expect(lines.at(-1)).toBe('}');
    expect(lines).toContain('      [29]: 29');
  });

  it('keeps a container inline when its text fits exactly, in both notations, and opens one a character longer', () => {
    // repr of {'k': [1, 2, …]} at exactly INLINE_LIMIT (72) characters, then 73.
    const fitting = (extra: number) => py.dict([['k', py.list([py.int(1), py.str('x'.repeat(extra)), py.list([py.dict([['a', PY_NONE]])])])]]);
    for (const notation of ['python', 'json'] as const) {
      const width = (extra: number) => payloadLines(py.dict([['outer', fitting(extra)]]), notation)[1]!.text.length;
      let extra = 0;
      while (width(extra) < 72 && extra < 100) extra++;
      expect(width(extra), notation).toBe(72);
      expect(payloadLines(py.dict([['outer', fitting(extra + 1)]]), notation)[1]!.text).toBe('{ 1 item');
    }
  });

  it('formats times, file names and the worst severity', () => {
    expect(formatClock(new Date(2026, 0, 2, 3, 4, 5, 6).getTime())).toBe('03:04:05.006');
    expect(exportFileName('http://127.0.0.1:5000', 'har', new Date(2026, 10, 25, 18, 5, 9))).toBe('session-timeline-127.0.0.1_5000-20261125-180509.har');
    expect(worstSeverity([])).toBeNull();
    expect(
      worstSeverity([
        { code: 'a', severity: 'info', title: '', detail: '', fix: '' },
        { code: 'b', severity: 'warning', title: '', detail: '', fix: '' },
      ]),
    ).toBe('warning');
  });
});

describe('TimelineDetails', () => {
  it('shows before and after, the diff, the diagnostics with their fix and the raw headers', () => {
    const { byStep } = basicEntries([HTTP_SEQUENCE_SECRET]);
    const modify = text(renderToStaticMarkup(<TimelineDetails entry={byStep('modify')} onClose={() => undefined} />));
    expect(modify).toContain('Modified');
    expect(modify).toMatch(/Before: the request sent .*Signature valid .*'user': 'alice'/);
    expect(modify).toMatch(/After: the response .*'count': 1/);
    expect(modify).toContain("added count : 1");
    expect(modify).toMatch(/Request Cookie session=\S+/);
    expect(modify).toMatch(/Response Set-Cookie session=\S+; HttpOnly; Path=\//);

    const nested = text(renderToStaticMarkup(<TimelineDetails entry={byStep('mutate-nested-undetected')} onClose={() => undefined} />));
    expect(nested).toContain('Read');
    expect(nested).toContain('No Set-Cookie for session: the browser keeps the cookie it sent.');
    expect(nested).toContain('read the session but did not save it');
    expect(nested).toContain('Fix: After changing nested values, set session.modified = True');

    const tampered = text(renderToStaticMarkup(<TimelineDetails entry={byStep('tampered-cookie')} onClose={() => undefined} />));
    expect(tampered).toContain('Rejected');
    expect(tampered).toContain('Bad signature');

    const logout = text(renderToStaticMarkup(<TimelineDetails entry={byStep('logout')} onClose={() => undefined} />));
    expect(logout).toContain('Deleted: Set-Cookie removes session.');
  });
});
