import { describe, expect, it } from 'vitest';
import { COOKIE_SIZE_LIMIT, DEFAULT_SETTINGS, analyzeCookie, py, signFlaskCookie, writeTypedJson, type FlaskDecoded, type SessionSettings } from '../../src/core';
import { editablePayload, forgeFlaskCookie, originalTimestamp } from '../../src/extension/panel/state/cookie-editor';

const KEY = 'editor-test-key';
const SIGNED_AT = 1_750_000_000;
const original = signFlaskCookie(py.dict([['user', py.str('alice')], ['ids', py.tuple([py.int(1n), py.int(2n)])]]), { secret: { text: KEY }, timestamp: SIGNED_AT });
if (!original.ok) throw new Error(original.error.message);
const analysis = analyzeCookie('session', original.value.cookie, { secrets: [{ text: KEY }] });
if (analysis.format !== 'flask') throw new Error('not a Flask cookie');
const decoded: FlaskDecoded = analysis.verification.decoded;
const settings: SessionSettings = { ...DEFAULT_SETTINGS, secrets: [{ text: 'wrong-key' }, { text: KEY }] };
const NOW_MS = 1_760_000_000_500;

function verifyWith(secret: string, value: string) {
  const a = analyzeCookie('session', value, { secrets: [{ text: secret }] });
  if (a.format !== 'flask') throw new Error('not a Flask cookie');
  return a.verification;
}

describe('Edit & sign', () => {
  it('starts from the payload as $type JSON and signs the edit with the chosen key, keeping or renewing the timestamp', () => {
    const payload = decoded.payload?.ok ? decoded.payload.value.value : null;
    const text = editablePayload(payload!);
    expect(text).toBe(writeTypedJson(payload!, '  '));
    const edited = text.replace('"alice"', '"mallory"');
    expect(originalTimestamp(decoded)).toBe(SIGNED_AT);

    const kept = forgeFlaskCookie({ cookieName: 'session', payloadText: edited, secretIndex: 1, timestamp: 'keep' }, settings, decoded, NOW_MS);
    if (!kept.ok) throw new Error(kept.error);
    expect(kept.timestamp).toBe(SIGNED_AT);
    const verified = verifyWith(KEY, kept.value);
    expect(verified.verdict).toBe('valid');
    expect(verified.decoded.payload?.ok && verified.decoded.payload.value.value).toEqual(py.dict([['ids', py.tuple([py.int(1n), py.int(2n)])], ['user', py.str('mallory')]]));
    expect(verifyWith('wrong-key', kept.value).verdict).toBe('bad_signature');

    const renewed = forgeFlaskCookie({ cookieName: 'session', payloadText: edited, secretIndex: 0, timestamp: 'now' }, settings, decoded, NOW_MS);
    if (!renewed.ok) throw new Error(renewed.error);
    expect(renewed.timestamp).toBe(Math.floor(NOW_MS / 1000));
    expect(verifyWith('wrong-key', renewed.value).verdict).toBe('valid');
    expect(renewed.bytes).toBe('session'.length + renewed.value.length); // name plus value, as browsers count
    expect(renewed.fits).toBe(true);
  });

  it('says what is wrong instead of signing', () => {
    const forge = (payloadText: string, secretIndex = 1, s = settings) => forgeFlaskCookie({ cookieName: 'session', payloadText, secretIndex, timestamp: 'keep' }, s, decoded, NOW_MS);
    expect(forge('{"a": 1}', 0, DEFAULT_SETTINGS)).toEqual({ ok: false, error: expect.stringContaining('Paste the key') });
    expect(forge('{"a": ')).toEqual({ ok: false, error: expect.stringContaining('not valid $type JSON') });
    expect(forge('{"$type": "float", "value": "constructor"}')).toEqual({ ok: false, error: expect.stringContaining('not valid $type JSON') });
    expect(forge('[1, 2]')).toEqual({ ok: false, error: expect.stringContaining('must be a JSON object') });
    const big = forge(JSON.stringify({ blob: Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('') }));
    expect(big.ok && [big.fits, big.bytes > COOKIE_SIZE_LIMIT]).toEqual([false, true]);
  });
});
