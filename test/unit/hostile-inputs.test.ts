import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FLASK_MAX_NESTING,
  DEFAULT_SETTINGS,
  TimelineBuilder,
  decodeFlaskCookie,
  findSessionCandidates,
  parsePythonJson,
  prettyRepr,
  pyRepr,
  reprPreview,
  reprStr,
  reprWithin,
  verifyFlaskCookie,
  writeTypedJson,
  writePythonJson,
  pyEquals,
  tag,
  type CapturedExchange,
  type PyValue,
} from '../../src/core';
import { MAX_JSON_VALUES, parseJsonFast, parsePythonJsonExact } from '../../src/core/python/pyjson';
import { MAX_PRETTY_LENGTH } from '../../src/core/python/pyrepr';
import { pyValue } from '../support/arbitraries';

import { HOSTILE_SECRET, MARKUP_PAYLOAD, amplifyingCases, crowdedCookieHeader, linearCases, nest, rawFlaskCookie } from '../support/hostile';

const secrets = [{ text: HOSTILE_SECRET }];

describe('amplifying tags are refused, with the signature still checked', () => {
  for (const { name, jsonText } of amplifyingCases()) {
    it(name, () => {
      const cookie = rawFlaskCookie(jsonText);
      const decoded = decodeFlaskCookie(cookie);
      expect(decoded.payload).toMatchObject({ ok: false, error: { code: 'ERR_PAYLOAD_TOO_LARGE' } });
      const verified = verifyFlaskCookie(cookie, { secrets });
      expect(verified).toMatchObject({ verdict: 'too_large', signature: 'valid', reason: { code: 'ERR_PAYLOAD_TOO_LARGE' } });
      // A wrong key still says what the server concludes: it ignores the cookie.
      expect(verifyFlaskCookie(cookie, { secrets: [{ text: 'other' }] }).verdict).toBe('bad_signature');
      expect(verifyFlaskCookie(cookie, { secrets: [] }).verdict).toBe('too_large');
    });
  }

  it('a few levels of the same tags still decode (the values are compared with Flask in the differential tests)', () => {
    const decoded = decodeFlaskCookie(rawFlaskCookie(`{"a":${nest('{" m":[', ']}', 6, '"\'\\""')}}`));
    expect(decoded.payload?.ok && decoded.payload.value.value.type === 'dict' && decoded.payload.value.value.entries.get('a')?.type).toBe('markup');
  });
});

describe('large but linear inputs decode or fail like Flask', () => {
  const outcomes: Record<string, string> = {
    'UUID tag of 100,000 braces': 'ERR_TAG',
    'UUID tag of 1,000,000 braces': 'ERR_TAG',
    'UUID tag of braces around a real UUID': 'ok',
    '999 nested lists around a 1 MB string': 'ok',
    '480 nested dicts of 400 keys': 'ok',
    '500,000 zeros in one list': 'ERR_PAYLOAD_TOO_LARGE',
  };
  for (const { name, jsonText } of linearCases()) {
    it(name, () => {
      const decoded = decodeFlaskCookie(rawFlaskCookie(jsonText));
      expect(decoded.payload?.ok ? 'ok' : decoded.payload?.error.code).toBe(outcomes[name]);
    });
  }

  it(`a document of ${MAX_JSON_VALUES} values is read, by the fast path and the exact reader alike; one more is refused`, () => {
    const list = (values: number) => `[${'0,'.repeat(values - 2)}0]`; // the list itself is a value
    const [fits, over] = [list(MAX_JSON_VALUES), list(MAX_JSON_VALUES + 1)];
    const fast = parseJsonFast(fits);
    expect(fast?.value.type === 'list' && fast.value.items.length).toBe(MAX_JSON_VALUES - 1);
    expect(pyEquals(fast!.value, parsePythonJsonExact(fits).value)).toBe(true);
    expect(parseJsonFast(over)).toBeNull();
    expect(() => parsePythonJsonExact(over)).toThrow(expect.objectContaining({ code: 'ERR_PAYLOAD_TOO_LARGE' }));
    // Keys are not values: an object of n entries is n + 1.
    const object = `{${Array.from({ length: MAX_JSON_VALUES - 1 }, (_, i) => `"${i}x":0`).join(',')}}`;
    expect(parsePythonJsonExact(object).value.type).toBe('dict');
    const verified = verifyFlaskCookie(rawFlaskCookie(`{"a":${list(MAX_JSON_VALUES)}}`), { secrets });
    expect(verified).toMatchObject({ verdict: 'too_large', signature: 'valid', reason: { code: 'ERR_PAYLOAD_TOO_LARGE' } });
  });

  it('str.strip("{}") semantics: braces around a UUID are stripped, whatever their number', () => {
    const decoded = decodeFlaskCookie(rawFlaskCookie(linearCases()[2]!.jsonText));
    expect(decoded.payload?.ok && pyRepr(decoded.payload.value.value)).toBe("{'a': UUID('12345678-1234-5678-1234-567812345678')}");
  });
});

describe('nesting deeper than Flask 3.x can load is a bad payload (HTTP 500)', () => {
  const nested = (levels: number) => `${'{"a":'.repeat(1)}${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

  it(`${FLASK_MAX_NESTING} levels are valid, one more is bad_payload with ERR_NESTING_DEPTH`, () => {
    expect(decodeFlaskCookie(rawFlaskCookie(nested(FLASK_MAX_NESTING))).payload).toMatchObject({ ok: true, value: { levels: FLASK_MAX_NESTING } });
    expect(verifyFlaskCookie(rawFlaskCookie(nested(FLASK_MAX_NESTING)), { secrets }).verdict).toBe('valid');
    const deeper = verifyFlaskCookie(rawFlaskCookie(nested(FLASK_MAX_NESTING + 1)), { secrets });
    expect(deeper).toMatchObject({ verdict: 'bad_payload', reason: { code: 'ERR_NESTING_DEPTH' } });
    expect(deeper.notes.join(' ')).not.toMatch(/levels deep/); // said once, as the reason
  });

  it('without a secret the payload is shown and the limit is a note', () => {
    const unverified = verifyFlaskCookie(rawFlaskCookie(nested(FLASK_MAX_NESTING + 1)), { secrets: [] });
    expect(unverified.verdict).toBe('unverified');
    expect(unverified.notes.join(' ')).toMatch(new RegExp(`nests ${FLASK_MAX_NESTING + 1} levels deep`));
  });
});

describe('bounded renderers', () => {
  it('reprPreview is the start of repr, cut with …; reprWithin is repr when it fits', () => {
    fc.assert(
      fc.property(pyValue, fc.integer({ min: 1, max: 200 }), (value, max) => {
        const full = pyRepr(value);
        const preview = reprPreview(value, max);
        if (full.length <= max) expect(preview).toBe(full);
        else expect(preview).toBe(`${full.slice(0, max - 1)}…`);
        expect(reprWithin(value, max)).toBe(full.length <= max ? full : null);
      }),
      { numRuns: 500 },
    );
  });

  it('reprStr with a limit returns a prefix of the full repr', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 40 }), (s, max) => {
        const full = reprStr(s);
        const cut = reprStr(s, max);
        expect(full.startsWith(cut)).toBe(true);
        expect(cut === full || cut.length > max).toBe(true);
      }),
    );
  });

  /** The straightforward pretty printer (quadratic on deep values), as the reference. */
  const naivePretty = (value: PyValue, indent: string, width: number): string => {
    const flat = pyRepr(value);
    const empty = (value.type === 'dict' ? value.entries.size : value.type === 'list' || value.type === 'tuple' ? value.items.length : 0) === 0;
    if (flat.length + indent.length <= width || empty) return flat;
    const inner = indent + '  ';
    switch (value.type) {
      case 'dict':
        return `{\n${[...value.entries].map(([k, v]) => `${inner}${reprStr(k)}: ${naivePretty(v, inner, width)}`).join(',\n')}\n${indent}}`;
      case 'list':
        return `[\n${value.items.map((v) => inner + naivePretty(v, inner, width)).join(',\n')}\n${indent}]`;
      case 'tuple':
        return `(\n${value.items.map((v) => inner + naivePretty(v, inner, width)).join(',\n')}${value.items.length === 1 ? ',' : ''}\n${indent})`;
      default:
        return flat;
    }
  };

  it('prettyRepr equals the straightforward pretty printer', () => {
    fc.assert(
      fc.property(pyValue, fc.integer({ min: 0, max: 60 }), (value, width) => {
        expect(prettyRepr(value, { indent: '  ', width })).toEqual({ text: naivePretty(value, '  ', width), truncated: false });
      }),
      { numRuns: 500 },
    );
  });

  it('a pretty repr stops at MAX_PRETTY_LENGTH, however deep its indentation grows', () => {
    // 600 nested lists of 40 numbers each: ~600 × 40 lines indented 600 deep on average, ~30 M characters in full.
    let value: PyValue = { type: 'int', value: 0n };
    for (let i = 0; i < 600; i++) value = { type: 'list', items: [value, ...Array.from({ length: 40 }, (_, j): PyValue => ({ type: 'int', value: BigInt(j) }))] };
    const pretty = prettyRepr(value, { indent: '  ' });
    expect(pretty.truncated).toBe(true);
    expect(pretty.text.length).toBe(MAX_PRETTY_LENGTH);
  });

  it('999 nested lists around a 1 MB string render in full, once each, and a length cap truncates', () => {
    const decoded = decodeFlaskCookie(rawFlaskCookie(linearCases()[3]!.jsonText));
    if (!decoded.payload?.ok) throw new Error('expected a payload');
    const value = decoded.payload.value.value;
    const pretty = prettyRepr(value, { indent: '  ' });
    expect(pretty.truncated).toBe(false);
    expect(pretty.text.length).toBeLessThan(4_000_000); // the string once, plus indentation
    expect(writeTypedJson(value).length).toBe(decoded.payload.value.jsonText.length);
    expect(prettyRepr(value, { maxLength: 10_000 })).toMatchObject({ truncated: true });
    expect(prettyRepr(value, { maxLength: 10_000 }).text.length).toBe(10_000);
  });
});

describe('hostile keys stay data', () => {
  it('__proto__, constructor and markup keys are ordinary dict keys', () => {
    const value = parsePythonJson('{"__proto__": {"polluted": 1}, "constructor": {"prototype": 2}, "toString": 3}');
    expect(value.type === 'dict' && [...value.entries.keys()]).toEqual(['__proto__', 'constructor', 'toString']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(writeTypedJson(value)).toBe('{"__proto__":{"polluted":1},"constructor":{"prototype":2},"toString":3}');
    const decoded = decodeFlaskCookie(rawFlaskCookie(MARKUP_PAYLOAD));
    expect(decoded.payload?.ok && decoded.payload.value.value.type === 'dict' && [...decoded.payload.value.value.entries.keys()]).toContain(
      '<img src=x onerror="window.__pwned=1">',
    );
  });
});

describe('crowded headers: the work per exchange is bounded', () => {
  const exchange = (header: string, setCookies: string[] = []): CapturedExchange => ({
    seq: 1,
    startedAt: 1_700_000_000_000,
    method: 'GET',
    url: 'http://127.0.0.1:5000/',
    status: 200,
    requestHeaders: [{ name: 'Cookie', value: header.replace(/^Cookie: /, '') }],
    responseHeaders: setCookies.map((value) => ({ name: 'Set-Cookie', value })),
  });

  it('10,000 pairs: the session cookie named "session" is still found', () => {
    const session = rawFlaskCookie('{"user":"alice"}');
    const candidates = findSessionCandidates([exchange(crowdedCookieHeader(10_000, session))], []);
    expect(candidates.map((c) => c.name)).toEqual(['session']);
    const entry = new TimelineBuilder(DEFAULT_SETTINGS).addExchange(exchange(crowdedCookieHeader(10_000, session)));
    expect(entry.cookieName).toBe('session');
  });

  it('content detection looks at the first 200 cookies only', () => {
    const shaped = (i: number) => `x${i}=${rawFlaskCookie(`{"n":${i}}`)}`;
    const header = Array.from({ length: 300 }, (_, i) => shaped(i)).join('; ');
    const names = findSessionCandidates([exchange(header)], []).map((c) => c.name);
    expect(names).toHaveLength(200);
    expect(names).toContain('x0');
    expect(names).not.toContain('x250');
  });
});

describe('the JSON fast path equals the exact reader wherever it applies', () => {
  const jsonText = fc.oneof(
    pyValue.map((v) => {
      try {
        return writePythonJson(tag(v), { sortKeys: false, ensureAscii: false });
      } catch {
        return '{}';
      }
    }),
    fc.string({ unit: fc.constantFrom(...'{}[]":,0123456789-.eEtrufalsnNI \\u'.split('')), maxLength: 40 }),
    fc.constantFrom('{"1":1,"a":2}', '{"a":1,"a":2}', '{"__proto__":[1]}', '-0', '[1.0]', '1e5', '[true,false,null]', '"\\ud800"', '12345678901234567', '\ufeff{}', '[' .repeat(600) + ']'.repeat(600)),
  );
  it('same value and depth, or the fast path stands aside', () => {
    fc.assert(
      fc.property(jsonText, (text) => {
        const fast = parseJsonFast(text);
        let exact: ReturnType<typeof parsePythonJsonExact> | null;
        try {
          exact = parsePythonJsonExact(text);
        } catch {
          exact = null;
        }
        if (fast === null) return;
        expect(exact, text).not.toBeNull();
        expect(pyEquals(fast.value, exact!.value), text).toBe(true);
        expect(fast.value.type === 'dict' && [...fast.value.entries.keys()], text).toEqual(exact!.value.type === 'dict' && [...exact!.value.entries.keys()]);
        expect(fast.levels).toBe(exact!.levels);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes the common session shapes', () => {
    expect(parseJsonFast('{"user_id":42,"csrf_token":"ab","_fresh":true,"cart":[{"sku":"x","qty":2}]}')).not.toBeNull();
  });
});
