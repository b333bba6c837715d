import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  TimelineBuilder,
  analyzeCookie,
  jsonPreview,
  jsonWithin,
  parsePythonJson,
  signJwt,
  timelineToJson,
  writePythonJson,
  type CapturedExchange,
  type PyValue,
} from '../../src/core';
import { rawSegments, sessionFacts } from '../../src/extension/panel/state/cookie-facts';
import { payloadRows } from '../../src/extension/panel/state/payload-tree';
import { payloadLines, shortRepr } from '../../src/extension/panel/timeline/model';

/** A JWT's claims and header are JSON, so the views write them as JSON, not as Python. */

const SECRET = 'jwt view secret';
const NOW = 1_764_086_400;
const json = (text: string) => parsePythonJson(text);
const token = (claims: string) => {
  const signed = signJwt(json(claims), { secret: { text: SECRET } });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value;
};

/** Values JSON can write: no tuple, bytes, NaN or ±Infinity. */
const jsonValue: fc.Arbitrary<PyValue> = fc.letrec<{ value: PyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant<PyValue>({ type: 'none' }),
    fc.boolean().map((value): PyValue => ({ type: 'bool', value })),
    fc.integer().map((n): PyValue => ({ type: 'int', value: BigInt(n) })),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((value): PyValue => ({ type: 'float', value })),
    fc.string({ unit: 'grapheme', maxLength: 10 }).map((value): PyValue => ({ type: 'str', value })),
    fc.array(tie('value'), { maxLength: 4 }).map((items): PyValue => ({ type: 'list', items })),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie('value')), { maxLength: 4 }).map((entries): PyValue => ({ type: 'dict', entries: new Map(entries) })),
  ),
})).value;

describe('JSON notation', () => {
  it('reads back as the same JSON as the JSON writer writes', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const shown = jsonPreview(value, 1_000_000);
        expect(JSON.parse(shown)).toEqual(JSON.parse(writePythonJson(value, { sortKeys: false, ensureAscii: false })));
      }),
    );
  });

  it('writes null, true and double quotes, escapes invisible characters, and cuts long values with …', () => {
    expect(jsonPreview(json('{"a": null, "b": [true, false], "c": "it\'s", "d": 1.0, "e": 12345678901234567890}'), 200)).toBe(
      '{"a": null, "b": [true, false], "c": "it\'s", "d": 1.0, "e": 12345678901234567890}',
    );
    expect(jsonPreview({ type: 'str', value: '\u202eevil\x1b]0;t\x07 "q" \\' }, 200)).toBe('"\\u202eevil\\u001b]0;t\\u0007 \\"q\\" \\\\"');
    expect(jsonPreview({ type: 'str', value: 'x'.repeat(1000) }, 20)).toBe(`"${'x'.repeat(18)}…`);
    expect(jsonWithin({ type: 'list', items: [{ type: 'int', value: 1n }] }, 3)).toBe('[1]');
    expect(jsonWithin({ type: 'list', items: [{ type: 'int', value: 10n }] }, 3)).toBeNull();
  });

  it('costs the same for a huge value as for its preview', () => {
    const huge: PyValue = { type: 'list', items: Array.from({ length: 30_000 }, () => ({ type: 'str', value: 'y'.repeat(100) })) };
    expect(jsonPreview(huge, 160)).toHaveLength(160);
  });
});

describe('a JWT in the Session view', () => {
  const cookie = token(`{"sub": "ada", "admin": false, "team": null, "iat": ${NOW - 60}, "exp": ${NOW + 3600}}`);
  const analysis = analyzeCookie('token', cookie, { secrets: [{ text: SECRET }], now: NOW });

  it('lists the claims as JSON', () => {
    if (analysis.format !== 'jwt' || !analysis.verification.decoded.payload) throw new Error(`not read as a JWT: ${analysis.format}`);
    const rows = payloadRows(analysis.verification.decoded.payload, new Set(), 'json');
    expect(rows.map((r) => `${r.key}: ${r.text}`)).toEqual(['sub: "ada"', 'admin: false', 'team: null', `iat: ${NOW - 60}`, `exp: ${NOW + 3600}`]);
  });

  it('names the algorithm and the time claims against the clock', () => {
    const facts = sessionFacts(analysis, DEFAULT_SETTINGS, NOW * 1000);
    expect(facts.map((f) => f.label)).toEqual(['Algorithm', 'Issued (iat)', 'Expires (exp)']);
    expect(facts[0]!.value).toBe('HS256');
    expect(facts[1]!.value).toMatch(/1m ago/);
    expect(facts[2]).toMatchObject({ value: expect.stringMatching(/in 1h/) });
    expect(facts[2]!.tone).toBeUndefined();
    const expired = sessionFacts(analysis, DEFAULT_SETTINGS, (NOW + 7200) * 1000);
    expect(expired[2]!.tone).toBe('bad');
    const eternal = analyzeCookie('token', token('{"sub": "ada"}'), { secrets: [] });
    expect(sessionFacts(eternal, DEFAULT_SETTINGS, NOW * 1000).at(-1)).toMatchObject({ label: 'Expires (exp)', tone: 'warn' });
  });

  it('shows the three segments under Raw value', () => {
    const [header, payload, signature] = cookie.split('.');
    expect(rawSegments(analysis, cookie).map((f) => f.value)).toEqual([header, payload, signature]);
  });
});

describe('a JWT in the Timeline', () => {
  let seq = 0;
  const exchange = (path: string, sent: string | null, set: string | null): CapturedExchange => ({
    seq: ++seq,
    startedAt: (NOW + seq) * 1000,
    method: 'GET',
    url: `http://127.0.0.1:3000${path}`,
    status: 200,
    requestHeaders: sent ? [{ name: 'Cookie', value: `token=${sent}` }] : [],
    responseHeaders: set ? [{ name: 'Set-Cookie', value: `token=${set}; Path=/; HttpOnly` }] : [],
  });

  it('creates, refreshes when only iat/exp move, and modifies with the claims that changed', () => {
    const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, cookieNames: ['token'], secrets: [{ text: SECRET }] });
    const first = token(`{"sub": "ada", "role": "user", "iat": ${NOW}, "exp": ${NOW + 60}}`);
    const reissued = token(`{"sub": "ada", "role": "user", "iat": ${NOW + 5}, "exp": ${NOW + 65}}`);
    const promoted = token(`{"sub": "ada", "role": "admin", "iat": ${NOW + 9}, "exp": ${NOW + 69}}`);
    const entries = [
      builder.addExchange(exchange('/login', null, first)),
      builder.addExchange(exchange('/refresh', first, reissued)),
      builder.addExchange(exchange('/promote', reissued, promoted)),
    ];
    expect(entries.map((e) => e.kind === 'http' && e.event)).toEqual(['created', 'refreshed', 'modified']);
    const promote = entries[2]!;
    if (promote.kind !== 'http') throw new Error('not an http entry');
    expect(promote.changes.map((c) => `${c.kind} ${c.path.join('.')}: ${shortRepr(c.before, 'json')} → ${shortRepr(c.after, 'json')}`)).toEqual([
      'changed role: "user" → "admin"',
      `changed iat: ${NOW + 5} → ${NOW + 9}`,
      `changed exp: ${NOW + 65} → ${NOW + 69}`,
    ]);
    const after = promote.set?.state;
    expect(after?.verdict).toBe('valid');
    expect(payloadLines(after!.analysis.format === 'jwt' ? after!.analysis.verification.decoded.payload! : { type: 'none' }, 'json').map((l) => l.text)).toContain('"admin"');
    // The export says what the token says, values redacted by default.
    const exported = JSON.parse(timelineToJson(entries)) as { entries: { set?: { state?: Record<string, unknown> } }[] };
    expect(exported.entries[2]!.set?.state).toMatchObject({ format: 'jwt', alg: 'HS256', iat: NOW + 9, exp: NOW + 69, payloadKeys: ['sub', 'role', 'iat', 'exp'] });
  });
});
