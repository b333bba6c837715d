import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_COMPANION_HEADER_LENGTH, companionReportOf, decodeCompanionHeader } from '../../src/core/timeline/companion-report';
import { diffPayloads, formatPath } from '../../src/core/timeline/payload-diff';

const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');

interface Line {
  backend: string;
  step: string;
  status: number;
  header: string | null;
}

const INTERPRETERS = ['/usr/bin/python3', '/work/main/.venv-modern/bin/python'];

for (const python of INTERPRETERS) {
  const present = existsSync(python);
  if (!present) console.warn(`companion-report: ${python} is missing, its reports are not tested`);
  describe.skipIf(!present)(`reports made by the real companion (${python})`, () => {
    const lines = (): Line[] =>
      execFileSync(python, ['test/python/companion_reports.py'], { cwd: process.cwd(), encoding: 'utf8', timeout: 60_000 })
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
    const all = present ? lines() : [];
    const report = (backend: string, step: string) => {
      const line = all.find((l) => l.backend === backend && l.step === step);
      expect(line?.header, `${backend} ${step}`).toBeTruthy();
      const verdict = decodeCompanionHeader(line!.header!);
      if (!verdict.ok) throw new Error(JSON.stringify(verdict));
      return verdict.report;
    };

    it('decodes every header', () => {
      expect(all.length).toBe(11);
      for (const line of all) expect(decodeCompanionHeader(line.header!).ok, `${line.backend} ${line.step}`).toBe(true);
    });

    it('cookie session: login, modify, nested mutation, read, logout', () => {
      const login = report('cookie', 'login');
      expect(login.interface).toBe('SecureCookieSessionInterface');
      expect(login.store).toBeNull();
      expect(login.flags.modified).toBe(true);
      expect(login.cookie.action).toBe('written');
      const visit = report('cookie', 'visit');
      const changes = diffPayloads(visit.opened!, visit.saved!);
      expect(changes.map((c) => `${c.kind} ${formatPath(c.path)}`)).toEqual(['changed visits']);
      expect(changes[0]!.before).toEqual({ type: 'int', value: 1n });
      expect(changes[0]!.after).toEqual({ type: 'int', value: 2n });
      const nested = report('cookie', 'nested');
      expect(nested.changedWithoutModified).toBe(true);
      expect(nested.flags.modified).toBe(false);
      expect(nested.cookie).toMatchObject({ action: 'left_alone', reason: 'not_modified_not_permanent' });
      const read = report('cookie', 'read');
      expect(read.flags).toMatchObject({ accessed: true, modified: false });
      expect(read.changed).toBe(false);
      const logout = report('cookie', 'logout');
      expect(logout.cookie).toMatchObject({ action: 'deleted', reason: 'emptied' });
      expect(logout.saved).toEqual({ type: 'dict', entries: new Map() });
    });

    it('filesystem backend: store key and TTL, markers', () => {
      const login = report('filesystem', 'login');
      expect(login.sessionType).toBe('filesystem');
      expect(login.store?.key).toMatch(/^session:/);
      expect(login.store?.ttl).toBeGreaterThan(0);
      const set = report('filesystem', 'set');
      const kinds = set.markers.map((m) => `${m.which} ${formatPath(m.path)} ${m.kind}`);
      expect(kinds).toContain('saved tags unrepresentable');
      expect(kinds).toContain('saved secret redacted');
      const tags = set.saved?.type === 'dict' ? set.saved.entries.get('tags') : undefined;
      expect(tags?.type === 'str' && tags.value.startsWith('‹unrepresentable builtins.set')).toBe(true);
      expect(JSON.stringify(all)).not.toContain('test-secret-key-for-session-lens');
    });
  });
}

describe('hostile headers', () => {
  const valid = {
    v: 1, interface: 'X', session_type: null, cookie_name: 'session', key_prefix: null, refresh_each_request: true,
    request_had_cookie: false, null_session: false, new: false, accessed: true, modified: true, permanent: false,
    opened: {}, saved: { a: 1 }, changed: true, changed_keys: ['a'], changed_without_modified: false,
    cookie: { action: 'written', reason: 'modified', should_set_cookie: true, should_set_cookie_overridden: false, set_by_view: false },
    store: null, truncated: false, truncated_fields: [],
  };
  const code = (header: string) => {
    const v = decodeCompanionHeader(header);
    return v.ok ? 'ok' : v.kind === 'invalid' ? v.error.code : v.kind;
  };

  it('accepts the minimal valid report', () => expect(code(b64url(JSON.stringify(valid)))).toBe('ok'));
  it('bad base64', () => {
    expect(code('!!!')).toBe('ERR_BASE64');
    expect(code('')).toBe('ERR_BASE64');
    expect(code('eyJ2IjoxfQ==')).toBe('ERR_BASE64');
  });
  it('bad UTF-8 and JSON', () => {
    expect(code(Buffer.from([0xff, 0xfe]).toString('base64url'))).toBe('ERR_UTF8');
    expect(code(b64url('{"v":1,'))).toBe('ERR_JSON');
  });
  it('huge', () => expect(code('A'.repeat(MAX_COMPANION_HEADER_LENGTH + 4))).toBe('ERR_INPUT_TOO_LARGE'));
  it('deep', () => {
    const deep = { ...valid, saved: JSON.parse('{"a":'.repeat(500) + '1' + '}'.repeat(500)) };
    expect(code(b64url(JSON.stringify(deep)))).toBe('ERR_NESTING_DEPTH');
    expect(code(b64url('['.repeat(5000) + ']'.repeat(5000)))).not.toBe('ok');
  });
  it('wrong types', () => {
    expect(code(b64url('[]'))).toBe('ERR_PAYLOAD_INVALID');
    expect(code(b64url(JSON.stringify({ ...valid, modified: 'yes' })))).toBe('ERR_PAYLOAD_INVALID');
    expect(code(b64url(JSON.stringify({ ...valid, saved: [1] })))).toBe('ERR_PAYLOAD_INVALID');
    expect(code(b64url(JSON.stringify({ ...valid, cookie: { ...valid.cookie, action: 'eaten' } })))).toBe('ERR_PAYLOAD_INVALID');
    expect(code(b64url(JSON.stringify({ ...valid, saved: { a: { $type: 'bytes', hex: 'z' } } })))).toBe('ERR_PAYLOAD_INVALID');
    expect(code(b64url(JSON.stringify({ ...valid, store: { key: 1 } })))).toBe('ERR_PAYLOAD_INVALID');
  });
  it('prototype keys', () => {
    const proto = b64url('{"v":1,"__proto__":{"interface":"X"},"constructor":1}');
    expect(code(proto)).toBe('ERR_PAYLOAD_INVALID');
    const ok = decodeCompanionHeader(b64url(JSON.stringify({ ...valid, saved: JSON.parse('{"__proto__":{"x":1},"toString":2}') })));
    expect(ok.ok).toBe(true);
    if (ok.ok && ok.report.saved?.type === 'dict') expect([...ok.report.saved.entries.keys()]).toEqual(['__proto__', 'toString']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
  it('versions and server errors', () => {
    expect(code(b64url('{"v":2}'))).toBe('unsupported_version');
    expect(decodeCompanionHeader(b64url('{"v":1,"error":"HeaderTooLarge","truncated":true}'))).toEqual({ ok: false, kind: 'server_error', error: 'HeaderTooLarge', truncated: true });
  });
  it('finds the last header among response headers', () => {
    expect(companionReportOf([{ name: 'Vary', value: 'Cookie' }])).toBeNull();
    expect(companionReportOf([{ name: 'X-Session-Lens', value: b64url(JSON.stringify(valid)) }])?.ok).toBe(true);
  });
  it('never throws', () => {
    for (const s of ['\u0000', 'a', 'ab', '\ud800', 'e30', b64url('null'), b64url('{"v":1e400}'), b64url('{"v":1,"error":1}')]) expect(() => decodeCompanionHeader(s)).not.toThrow();
    expect(() => decodeCompanionHeader(undefined as unknown as string)).not.toThrow();
  });
});

describe('the header in exports', () => {
  it('is kept, and redacted unless cookie values are included', async () => {
    const { TimelineBuilder } = await import('../../src/core/timeline/lifecycle');
    const { DEFAULT_SETTINGS } = await import('../../src/core/timeline/entries');
    const { timelineToJson, timelineToHar } = await import('../../src/core/timeline/export');
    const header = b64url('{"v":1,"error":"KeyError"}');
    const entry = new TimelineBuilder(DEFAULT_SETTINGS).addExchange({
      seq: 1, startedAt: 0, method: 'GET', url: 'http://app.test/', status: 200,
      requestHeaders: [{ name: 'Cookie', value: 'session=abc' }],
      responseHeaders: [{ name: 'X-Session-Lens', value: header }],
    });
    for (const write of [timelineToJson, timelineToHar]) {
      expect(write([entry])).not.toContain(header);
      expect(write([entry])).toContain('X-Session-Lens');
      expect(write([entry], { includeCookieValues: true })).toContain(header);
    }
  });
});
