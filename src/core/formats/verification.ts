import type { ErrorInfo } from '../errors';
import type { VerificationBase } from './types';

/**
 * The verification result of one decoded value, built verdict by verdict: `notes` collects what
 * the checks observe on the way, and every `result(…)` carries them with the format and decoded value.
 */
export function verificationOf<F extends string, D>(format: F, decoded: D) {
  const notes: string[] = [];
  const result = (verdict: VerificationBase['verdict'], signature: VerificationBase['signature'], matchedSecretIndex: number | null, reason: ErrorInfo | null) => ({
    format,
    decoded,
    verdict,
    signature,
    matchedSecretIndex,
    reason,
    notes,
  });
  return { notes, result };
}
