import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, TimelineBuilder, type CapturedExchange, type HttpTimelineEntry } from '../../src/core';
import { COMPANION_HINT, latestServerSession } from '../../src/extension/panel/state/server-session';
import { TimelineDetails } from '../../src/extension/panel/timeline/TimelineDetails';

const SID = '3f2c1a9e-8b7d-4c6e-9f1a-2b3c4d5e6f70';
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A companion report as the Python side writes it (snake_case, `$type` values). */
function report(opened: object, saved: object, store: object | null, extra: object = {}): string {
  return b64url(
    JSON.stringify({
      v: 1, interface: 'flask_session.redis.redis.RedisSessionInterface', session_type: 'redis', cookie_name: 'session', key_prefix: 'session:',
      refresh_each_request: true, request_had_cookie: true, null_session: false, new: false, accessed: true, modified: true, permanent: true,
      opened, saved, changed: true, changed_keys: ['count'], changed_without_modified: false,
      cookie: { action: 'written', reason: 'modified', should_set_cookie: true, should_set_cookie_overridden: false, set_by_view: false },
      store, truncated: false, truncated_fields: [], ...extra,
    }),
  );
}

function exchange(seq: number, path: string, header: string | null): CapturedExchange {
  return {
    seq,
    startedAt: 1_700_000_000_000 + seq * 1000,
    method: 'POST',
    url: `http://127.0.0.1:5000${path}`,
    status: 200,
    requestHeaders: [{ name: 'Cookie', value: `session=${SID}` }],
    responseHeaders: [
      { name: 'Set-Cookie', value: `session=${SID}; HttpOnly; Path=/` },
      { name: 'Vary', value: 'Cookie' },
      ...(header === null ? [] : [{ name: 'X-Session-Lens', value: header }]),
    ],
  };
}

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const details = (entry: HttpTimelineEntry) => text(renderToStaticMarkup(<TimelineDetails entry={entry} onClose={() => undefined} />));

describe('the server-side session in the panel', () => {
  const store = { key: `session:${SID}`, key_changed: false, write: 'written', ttl: 2_678_400 };

  it('Timeline details show what the server opened and saved, the store key and the server-side diff', () => {
    const builder = new TimelineBuilder(DEFAULT_SETTINGS);
    const entry = builder.addExchange(exchange(1, '/modify', report({ user: 'alice' }, { user: 'alice', count: 1 }, store)));
    expect(entry.event).toBe('modified');
    const shown = details(entry);
    expect(shown).toContain('The server saved a changed session in its store; the cookie keeps the same id.');
    expect(shown).toContain('On the server (Session Lens companion)');
    expect(shown).toContain(`Store key session:${SID}`);
    expect(shown).toContain('Store TTL 31d');
    expect(shown).toContain('Cookie written: the session was modified');
    expect(shown).toMatch(/As opened \{ 1 item 'user': 'alice' \} As saved \{ 2 items 'user': 'alice' 'count': 1 \}/);
    expect(shown).toContain('Server-side session changes');
    expect(shown).toContain('added count : 1');
    expect(shown).not.toContain(COMPANION_HINT);
  });

  it('a change the store did not get is titled as not saved; without the companion, one line says how to add it', () => {
    const builder = new TimelineBuilder(DEFAULT_SETTINGS);
    const lost = builder.addExchange(
      exchange(1, '/mutate-nested', report({ cart: [] }, { cart: ['y'] }, { ...store, write: 'skipped' }, { modified: false, changed_without_modified: true, changed_keys: ['cart'] })),
    );
    expect(lost.event).toBe('read');
    const shown = details(lost);
    expect(shown).toContain('Changed on the server, not saved');
    expect(shown).toContain("added cart[0] : 'y'");
    expect(shown).toContain('The session changed on the server but was not saved');

    const without = details(new TimelineBuilder(DEFAULT_SETTINGS).addExchange(exchange(1, '/modify', null)));
    expect(without).toContain(COMPANION_HINT);
    expect(without).not.toContain('On the server');
  });

  it('server-side values are text, never markup', () => {
    const entry = new TimelineBuilder(DEFAULT_SETTINGS).addExchange(exchange(1, '/x', report({}, { '<img src=x onerror=alert(1)>': '<script>alert(1)</script>' }, store)));
    const html = renderToStaticMarkup(<TimelineDetails entry={entry} onClose={() => undefined} />);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(text(html)).toContain("'<script>alert(1)</script>'");
  });

  it('the Session view takes the newest report for the cookie id', () => {
    const older = exchange(1, '/login', report({}, { user: 'alice' }, store));
    const newer = exchange(2, '/modify', report({ user: 'alice' }, { user: 'alice', count: 1 }, store));
    const otherSession = exchange(3, '/other', report({}, { user: 'bob' }, { ...store, key: 'session:another-id' }));
    const noReport = exchange(4, '/plain', null);
    const found = latestServerSession([older, newer, otherSession, noReport], SID);
    expect(found?.exchange).toBe(newer);
    expect(latestServerSession([otherSession, noReport], SID)).toBeNull();
  });
});
