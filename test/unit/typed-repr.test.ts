import { describe, expect, it } from 'vitest';
import { parseTypedJson, SessionLensError, signFlaskCookie, type PyValue } from '../../src/core';

function refusal(text: string): SessionLensError {
  try {
    parseTypedJson(text);
  } catch (error) {
    if (error instanceof SessionLensError) return error;
    throw error;
  }
  throw new Error(`accepted: ${text}`);
}

const floatOf = (value: string) => `{"x":{"$type":"float","value":${JSON.stringify(value)}}}`;

describe('the $type reader refuses what Flask could not load back', () => {
  it('takes only NaN, Infinity and -Infinity as special floats, not inherited property names', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(refusal(floatOf(name)).code, name).toBe('ERR_PAYLOAD_INVALID');
    }
    const nan = parseTypedJson(floatOf('NaN'));
    expect(nan.type === 'dict' && nan.entries.get('x')).toEqual({ type: 'float', value: NaN });
    expect(parseTypedJson(floatOf('-Infinity'))).toEqual({ type: 'dict', entries: new Map([['x', { type: 'float', value: -Infinity }]]) });
  });

  it('reads float values as decimal numbers only', () => {
    for (const text of ['0x10', '0b1', '0o7', ' 1', '1 ', '', 'Infinityx', '1_000', 'inf']) {
      expect(refusal(floatOf(text)).message, text).toMatch(/not a float/);
    }
    const value = (text: string) => (parseTypedJson(floatOf(text)) as Extract<PyValue, { type: 'dict' }>).entries.get('x');
    expect(value('1.5')).toEqual({ type: 'float', value: 1.5 });
    expect(value('-2e3')).toEqual({ type: 'float', value: -2000 });
    expect(value('.5')).toEqual({ type: 'float', value: 0.5 });
  });

  it('refuses datetimes outside years 1–9999, in UTC', () => {
    for (const unix of ['99999999999999999999', '253402300800', '-62135596801']) {
      expect(refusal(`{"$type":"datetime","unix":${unix}}`).message, unix).toMatch(/years 1–9999/);
    }
    // The local time is in range, the UTC instant Flask converts to is not.
    expect(refusal('{"$type":"datetime","iso":"0001-01-01T00:00:00+05:00"}').message).toMatch(/years 1–9999/);
    expect(refusal('{"$type":"datetime","iso":"9999-12-31T23:59:59-01:00"}').message).toMatch(/years 1–9999/);
    expect(refusal('{"$type":"datetime","iso":"0000-01-01T00:00:00"}').message).toMatch(/not an ISO-8601/);
    expect(parseTypedJson('{"$type":"datetime","unix":253402300799}')).toEqual({ type: 'datetime', unix: 253402300799, offsetSeconds: 0 });
    expect(parseTypedJson('{"$type":"datetime","unix":-62135596800}')).toEqual({ type: 'datetime', unix: -62135596800, offsetSeconds: 0 });
  });

  it('refuses integers Python will not read (more than 4300 digits) and bad hex bytes', () => {
    expect(refusal(`{"$type":"int","value":"${'9'.repeat(4301)}"}`).message).toMatch(/4300 digits/);
    expect(parseTypedJson(`{"$type":"int","value":"-${'9'.repeat(4300)}"}`).type).toBe('int');
    expect(refusal('{"$type":"bytes","hex":"abc"}').code).toBe('ERR_PAYLOAD_INVALID');
    expect(refusal('{"$type":"bytes","hex":"zz"}').code).toBe('ERR_PAYLOAD_INVALID');
  });

  it('keeps a "$type" look-alike key of an ordinary dict an ordinary key', () => {
    const value = parseTypedJson('{"$type":"dict","entries":{"$type":"x","constructor":1,"__proto__":2}}');
    expect(value).toEqual({
      type: 'dict',
      entries: new Map<string, PyValue>([
        ['$type', { type: 'str', value: 'x' }],
        ['constructor', { type: 'int', value: 1n }],
        ['__proto__', { type: 'int', value: 2n }],
      ]),
    });
  });

  it('signs what it accepts as Flask writes it', () => {
    const signed = signFlaskCookie(parseTypedJson(floatOf('NaN')), { secret: { text: 'k' }, timestamp: 1700000000 });
    expect(signed.ok && signed.value.jsonText).toBe('{"x":NaN}');
  });
});
