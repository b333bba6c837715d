import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretInput } from '../../src/core';

/**
 * Reference vectors made by the real libraries. A copy of the shared subset
 * lives in test/fixtures/vectors so a clean checkout tests itself; point
 * SESSION_LENS_VECTORS at a larger catalog with the same layout to check
 * that instead.
 */
export const VECTORS_DIR = process.env.SESSION_LENS_VECTORS ?? join(import.meta.dirname, '..', 'fixtures', 'vectors');

if (!existsSync(join(VECTORS_DIR, 'flask_builtin_flask-2.2.2.json'))) {
  throw new Error(`no Flask vectors in ${VECTORS_DIR} (SESSION_LENS_VECTORS points at the wrong directory?)`);
}

export function loadVectorFile<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), 'utf8')) as T;
}

export type VectorSecret = { type: 'str'; value: string } | { type: 'bytes'; hex: string };

export function toSecretInput(secret: VectorSecret): SecretInput {
  return secret.type === 'str' ? { text: secret.value } : { hex: secret.hex };
}

export interface FlaskVector {
  id: string;
  category: string;
  description: string;
  config: {
    secret: VectorSecret;
    fallback_secrets?: VectorSecret[];
    verify_secret?: VectorSecret | VectorSecret[];
    salt: string;
    digest: string;
    key_derivation: string;
    timestamp_epoch?: number;
    permanent_session_lifetime_s?: number;
  };
  cookie_name: string;
  cookie_value: string;
  expected: {
    verdict?: string;
    valid_with_secret: boolean;
    signature_valid?: boolean;
    payload?: unknown;
    unverified_payload?: unknown;
    payload_json_text?: string;
    timestamp?: number;
    timestamp_raw?: number;
    compressed?: boolean;
    max_age_checks?: { label: string; now: number; max_age: number; verdict: string }[];
    derived_key_hex?: string;
    signature_verifies_with_keys?: string[];
    python_repr?: string;
    /** Legacy (itsdangerous 0.x) vectors: what current itsdangerous says. */
    modern_itsdangerous_no_max_age?: { verdict: string; timestamp_as_read: number };
    modern_itsdangerous_max_age_31d_at_signing_plus_60s?: string;
  };
}

export interface FlaskVectorFile {
  vectors: FlaskVector[];
}

/** The secrets a vector's verifier used, SECRET_KEY first then fallbacks (our CLI's order). */
export function verifySecrets(v: FlaskVector): SecretInput[] {
  const verify = v.config.verify_secret;
  if (verify) return (Array.isArray(verify) ? verify : [verify]).map(toSecretInput);
  return [v.config.secret, ...(v.config.fallback_secrets ?? [])].map(toSecretInput);
}

/** Normalizes the vectors' library verdicts onto ours: BadTimeSignature is a bad signature. */
export function normalizeVerdict(verdict: string): string {
  return verdict === 'bad_time_signature' ? 'bad_signature' : verdict;
}

/** The verdict current itsdangerous gives without a max age. */
export function expectedVerdict(v: FlaskVector): string {
  return v.expected.verdict ?? v.expected.modern_itsdangerous_no_max_age?.verdict ?? 'valid';
}

export const FLASK_VECTOR_FILES = ['flask_builtin_flask-2.2.2.json', 'flask_rotation.json', 'flask_legacy_itsdangerous-0.24.json'];
