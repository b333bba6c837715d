import { describe, expect, it } from 'vitest';
import { decodeFlaskCookie, isDigestName, isKeyDerivation, parseTypedJson, verifyFlaskCookie, writeTypedJson, pyRepr } from '../../src/core';
import { expectedVerdict, FLASK_VECTOR_FILES, loadVectorFile, normalizeVerdict, verifySecrets, type FlaskVector, type FlaskVectorFile } from '../support/vectors';


function signerOf(v: FlaskVector) {
  const { digest, key_derivation: kd, salt } = v.config;
  if (!isDigestName(digest) || !isKeyDerivation(kd)) throw new Error(`unsupported signer in ${v.id}`);
  return { salt, digest, keyDerivation: kd };
}

/** Parses our `$type` output with JSON.parse so it compares like any consumer would see it. */
function typedAsPlainJson(text: string): unknown {
  return JSON.parse(text);
}

describe('Flask vectors from the real libraries', () => {
  for (const file of FLASK_VECTOR_FILES) {
    const { vectors } = loadVectorFile<FlaskVectorFile>(file);
    describe(file, () => {
      for (const v of vectors) {
        it(`${v.id}: ${v.description}`, () => {
          const result = verifyFlaskCookie(v.cookie_value, { ...signerOf(v), secrets: verifySecrets(v), maxAge: null });
          expect(result.verdict).toBe(normalizeVerdict(expectedVerdict(v)));
          if (v.expected.signature_valid !== undefined) {
            expect(result.signature === 'valid' || result.signature === 'valid_noncanonical').toBe(v.expected.signature_valid);
          }
          const payload = v.expected.payload !== undefined ? v.expected.payload : v.expected.unverified_payload;
          const decoded = decodeFlaskCookie(v.cookie_value);
          if (payload !== undefined && payload !== null) {
            expect(decoded.payload?.ok).toBe(true);
            if (decoded.payload?.ok) {
              const text = writeTypedJson(decoded.payload.value.value);
              expect(typedAsPlainJson(text)).toEqual(payload);
              // and the representation reads back to the same value
              expect(writeTypedJson(parseTypedJson(text))).toBe(text);
              if (v.expected.python_repr) expect(pyRepr(decoded.payload.value.value)).toBe(v.expected.python_repr);
            }
          }
          if (v.expected.payload_json_text !== undefined && decoded.payload?.ok) {
            expect(decoded.payload.value.jsonText).toBe(v.expected.payload_json_text);
          }
          const rawTs = v.expected.timestamp_raw ?? (v.config.timestamp_epoch ? undefined : v.expected.timestamp);
          if (rawTs !== undefined) {
            expect(decoded.timestamp?.ok && Number(decoded.timestamp.value.seconds)).toBe(rawTs);
          }
          if (v.config.timestamp_epoch && v.expected.timestamp !== undefined) {
            expect(decoded.timestamp?.ok && Number(decoded.timestamp.value.legacySeconds)).toBe(v.expected.timestamp);
          }
          if (v.expected.compressed !== undefined) expect(decoded.compressed).toBe(v.expected.compressed);
          const legacyExpiry = v.expected.modern_itsdangerous_max_age_31d_at_signing_plus_60s;
          if (legacyExpiry && v.expected.timestamp !== undefined) {
            const timed = verifyFlaskCookie(v.cookie_value, { ...signerOf(v), secrets: verifySecrets(v), maxAge: 31 * 86400, now: v.expected.timestamp + 60 });
            expect(timed.verdict).toBe(legacyExpiry);
          }
          for (const check of v.expected.max_age_checks ?? []) {
            const timed = verifyFlaskCookie(v.cookie_value, { ...signerOf(v), secrets: verifySecrets(v), maxAge: check.max_age, now: check.now });
            expect(timed.verdict, check.label).toBe(normalizeVerdict(check.verdict));
          }
        });
      }
    });
  }
});
