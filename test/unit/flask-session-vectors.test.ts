import { describe, expect, it } from 'vitest';
import { decodeFlaskSessionId, detectFormats, verifyFlaskSessionId } from '../../src/core';
import { flaskSessionRuns, type FlaskSessionStep } from '../support/sequences';

const runs = flaskSessionRuns();
const requestCookie = (step: FlaskSessionStep) => step.request.cookie_header?.replace(/^session=/, '') ?? null;

describe('Flask-Session vectors (real Flask-Session against redis and the filesystem)', () => {
  for (const run of runs) {
    describe(`${run.stack} ${run.variant} ${run.backend} signer=${run.SESSION_USE_SIGNER}`, () => {
      const secrets = [{ text: run.secret_key }];
      for (const step of run.steps) {
        if (step.cookie_value && step.cookie_value !== 'nonexistent-sid-value') {
          it(`${step.step}: the issued id is recognised${run.SESSION_USE_SIGNER ? ' and verifies' : ''}`, () => {
            const decoded = decodeFlaskSessionId(step.cookie_value!);
            expect(decoded.sid.length).toBe(step.sid_len);
            expect(decoded.sidKind).toBe(step.sid_len === 36 ? 'uuid4' : 'token_urlsafe_32');
            expect(detectFormats('session', step.cookie_value!)[0]!.format).toBe('flask-session');
            const verification = verifyFlaskSessionId(step.cookie_value!, { secrets });
            if (run.SESSION_USE_SIGNER) {
              expect(decoded.sid).toBe(step.unsigned_sid);
              expect(verification.verdict).toBe(step.signature_valid ? 'valid' : 'bad_signature');
              expect(verification.signature).toBe('valid');
              expect(verification.matchedSecretIndex).toBe(0);
              const wrong = verifyFlaskSessionId(step.cookie_value!, { secrets: [{ text: run.secret_key + 'x' }] });
              expect(wrong.verdict).toBe('bad_signature');
            } else {
              expect(decoded.signature).toBeNull();
              expect(verification.verdict).toBe('unverified');
            }
          });
        }
        const sent = requestCookie(step);
        if (run.SESSION_USE_SIGNER && sent && (step.step === 'tampered-signature' || step.step === 'noncanonical-signature-last-char')) {
          it(`${step.step}: the id the client sent is judged as the server judged it`, () => {
            const verification = verifyFlaskSessionId(sent, { secrets });
            // The server kept the id (same cookie re-issued) exactly when the signature was acceptable.
            const kept = step.cookie_value === sent || step.unsigned_sid === decodeFlaskSessionId(sent).sid;
            expect(verification.verdict).toBe(kept ? 'valid' : 'bad_signature');
            if (step.step === 'noncanonical-signature-last-char') expect(verification.signature).toBe('valid_noncanonical');
          });
        }
      }
    });
  }
});
