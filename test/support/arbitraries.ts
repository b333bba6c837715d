import fc from 'fast-check';
import { DIGESTS, KEY_DERIVATIONS, TAG_KEYS, type PyValue, type SecretInput } from '../../src/core';

/** Strings with every kind of character: ASCII, BMP, astral, lone surrogates, controls. */
export const anyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', ' t', ' di', ' b__', '$type', '\ud800', '\udfff', 'a\ud83d', '\u2028', '\x00\x7f', '"\\/'),
);

const keyString = fc.oneof({ weight: 4, arbitrary: fc.string({ maxLength: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(...TAG_KEYS, '$type') });

/** Floats Python can hold, including NaN, ±inf and -0.0. */
const anyFloat = fc.double();

const leaf: fc.Arbitrary<PyValue> = fc.oneof(
  fc.constant<PyValue>({ type: 'none' }),
  fc.boolean().map((value): PyValue => ({ type: 'bool', value })),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((value): PyValue => ({ type: 'int', value })),
  fc.integer().map((n): PyValue => ({ type: 'int', value: BigInt(n) })),
  anyFloat.map((value): PyValue => ({ type: 'float', value })),
  anyString.map((value): PyValue => ({ type: 'str', value })),
  fc.uint8Array({ maxLength: 24 }).map((value): PyValue => ({ type: 'bytes', value })),
  anyString.map((value): PyValue => ({ type: 'markup', value })),
  fc.uuid().map((u): PyValue => ({ type: 'uuid', hex: u.replaceAll('-', '') })),
  // Flask writes datetimes in UTC with whole seconds; other offsets come back converted. Years below 100
  // do not survive in Flask either (the date parser reads a two-digit year as 19xx/20xx).
  fc.integer({ min: -59011459200, max: 253402300799 }).map((unix): PyValue => ({ type: 'datetime', unix, offsetSeconds: 0 })),
);

/** Any value a Flask session can hold and get back unchanged. */
export const pyValue: fc.Arbitrary<PyValue> = fc.letrec<{ value: PyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }).map((items): PyValue => ({ type: 'list', items })),
    fc.array(tie('value'), { maxLength: 4 }).map((items): PyValue => ({ type: 'tuple', items })),
    fc.array(fc.tuple(keyString, tie('value')), { maxLength: 4 }).map((entries): PyValue => ({ type: 'dict', entries: new Map(entries) })),
  ),
})).value;

/** A session payload: Flask always stores a dict at the top. */
export const sessionPayload: fc.Arbitrary<PyValue> = fc
  .array(fc.tuple(keyString, pyValue), { maxLength: 6 })
  .map((entries): PyValue => ({ type: 'dict', entries: new Map(entries) }));

export const secretInput: fc.Arbitrary<SecretInput> = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map((text) => ({ text })),
  fc.uint8Array({ minLength: 1, maxLength: 80 }).map((bytes) => ({ hex: Buffer.from(bytes).toString('hex') })),
);

export const signerConfig = fc.record({
  salt: fc.oneof(fc.constant('cookie-session'), fc.string({ maxLength: 16 })),
  digest: fc.constantFrom(...DIGESTS),
  keyDerivation: fc.constantFrom(...KEY_DERIVATIONS),
});
