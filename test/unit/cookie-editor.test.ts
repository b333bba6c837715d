import { describe, expect, it } from 'vitest';
import {
  COOKIE_SIZE_LIMIT,
  DEFAULT_SETTINGS,
  analyzeCookie,
  decodeFlaskSessionId,
  newSessionId,
  py,
  sessionIdKind,
  signFlaskCookie,
  verifyFlaskSessionId,
  writeTypedJson,
  type FlaskDecoded,
  type SessionSettings,
} from '../../src/core';
import { editablePayload, forgeFlaskCookie, forgeFlaskSessionId, originalTimestamp } from '../../src/extension/panel/state/cookie-editor';

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

describe('Edit & sign a Flask-Session id', () => {
  const SID = 'a3bf1c52-0b9e-4c3e-9d0f-6f8e2c1b7a10';
  const forge = (sid: string, signWith: number | null) => forgeFlaskSessionId({ cookieName: 'session', sid, signWith }, settings);

  it('sends the id as typed, or signed with the chosen key as SESSION_USE_SIGNER does', () => {
    expect(forge(` ${SID} `, null)).toEqual({ ok: true, value: SID, bytes: 'session'.length + SID.length, fits: true });
    const signed = forge(SID, 1);
    if (!signed.ok) throw new Error(signed.error);
    expect(decodeFlaskSessionId(signed.value)).toMatchObject({ sid: SID, signature: expect.stringMatching(/^[A-Za-z0-9_-]{27}$/) });
    expect(verifyFlaskSessionId(signed.value, { secrets: [{ text: KEY }] }).verdict).toBe('valid');
    expect(verifyFlaskSessionId(signed.value, { secrets: [{ text: 'wrong-key' }] }).verdict).toBe('bad_signature');
    const other = forge(SID, 0);
    expect(other.ok && verifyFlaskSessionId(other.value, { secrets: [{ text: 'wrong-key' }] }).verdict).toBe('valid');
  });

  it('refuses what a cookie cannot carry, and a missing key', () => {
    for (const bad of ['', '   ', 'a b', 'a;b', 'a,b', 'a"b', 'a\\b', 'a\u0000b', 'é']) {
      expect(forge(bad, null).ok, JSON.stringify(bad)).toBe(false);
    }
    expect(forgeFlaskSessionId({ cookieName: 'session', sid: SID, signWith: 0 }, DEFAULT_SETTINGS)).toEqual({ ok: false, error: expect.stringContaining('Paste the key') });
  });

  it('makes fresh ids of the shape the app issues', () => {
    const random = (seed: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + seed * 101) & 255);
    const uuid = newSessionId('uuid4', random(1));
    expect(sessionIdKind(uuid)).toBe('uuid4');
    const token = newSessionId('token_urlsafe_32', random(1));
    expect(sessionIdKind(token)).toBe('token_urlsafe_32');
    expect(newSessionId('other', random(1))).toBe(token);
    expect(newSessionId('uuid4', random(2))).not.toBe(uuid);
    expect(() => newSessionId('uuid4', new Uint8Array(16))).toThrow(RangeError);
  });
});
