import type { SecretInput, DigestName, KeyDerivation } from './codec/crypto';
import { FLASK_DEFAULTS, decodeFlaskCookie, detectFlask, verifyFlaskDecoded, type FlaskDecoded, type FlaskVerification } from './formats/flask/cookie';
import {
  FLASK_SESSION_DEFAULTS,
  decodeFlaskSessionId,
  detectFlaskSession,
  verifyFlaskSessionDecoded,
  type FlaskSessionDecoded,
  type FlaskSessionVerification,
} from './formats/flask-session/session-id';
import type { Confidence, Detection, FormatId } from './formats/types';

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/**
 * Detection is pure but not free (a compressed payload is inflated a little to glance at it), and
 * the panel finds candidates and Timeline session names again on every batch of traffic: a site
 * that sets 200 Flask-shaped cookies would cost that work on each request. Answers are remembered
 * per name and value (values a browser could store; at most DETECTION_CACHE_SIZE, then all forgotten).
 */
const DETECTION_CACHE_SIZE = 512;
const CACHED_VALUE_LENGTH = 8192;
const detections = new Map<string, Map<string, Detection[]>>();
let detectionCount = 0;

/** Every format the cookie could be, most likely first; an `unknown` detection when none fits. Shared: do not mutate. */
export function detectFormats(name: string, value: string): Detection[] {
  const known = detections.get(name)?.get(value);
  if (known) return known;
  const found = detectUncached(name, value);
  if (value.length > CACHED_VALUE_LENGTH) return found;
  if (detectionCount >= DETECTION_CACHE_SIZE) {
    detections.clear();
    detectionCount = 0;
  }
  let byValue = detections.get(name);
  if (!byValue) detections.set(name, (byValue = new Map()));
  byValue.set(value, found);
  detectionCount += 1;
  return found;
}

function detectUncached(name: string, value: string): Detection[] {
  const found = [detectFlask(name, value), detectFlaskSession(name, value)].filter((d): d is Detection => d !== null);
  found.sort((a, b) => CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence]);
  return found.length > 0 ? found : [{ format: 'unknown', confidence: 'low', reasons: ['no known session cookie shape'] }];
}

export interface AnalyzeOptions {
  secrets?: readonly SecretInput[];
  /** Signer settings; the defaults are each format's own (cookie-session vs flask-session salt). */
  salt?: string;
  digest?: DigestName;
  keyDerivation?: KeyDerivation;
  maxAge?: number | null;
  now?: number;
  /** Analyse as this format instead of the detected one. */
  format?: Exclude<FormatId, 'unknown'>;
  /** Analyse as this format when no format is recognised (rather than reporting `unknown`). */
  fallbackFormat?: Exclude<FormatId, 'unknown'>;
}

/** A cookie detected and decoded: everything about it that no secret or signer setting changes. */
export type CookieReading =
  | { format: 'flask'; detection: Detection; decoded: FlaskDecoded }
  | { format: 'flask-session'; detection: Detection; decoded: FlaskSessionDecoded }
  | { format: 'unknown'; detection: Detection };

export type CookieAnalysis =
  | { format: 'flask'; detection: Detection; verification: FlaskVerification }
  | { format: 'flask-session'; detection: Detection; verification: FlaskSessionVerification }
  | { format: 'unknown'; detection: Detection };

/** Detects the format of one cookie and decodes it, without verifying. Never throws. */
export function readCookie(name: string, value: string, options: Pick<AnalyzeOptions, 'format' | 'fallbackFormat'> = {}): CookieReading {
  const detections = detectFormats(name, value);
  const wanted = options.format ?? (detections[0]!.format === 'unknown' ? options.fallbackFormat : undefined);
  const detection: Detection = !wanted
    ? detections[0]!
    : (detections.find((d) => d.format === wanted) ?? {
        format: wanted,
        confidence: 'low',
        reasons: [options.format ? 'format chosen by the user' : `no known shape; read as ${wanted}`],
      });
  switch (detection.format) {
    case 'flask':
      return { format: 'flask', detection, decoded: decodeFlaskCookie(value) };
    case 'flask-session':
      return { format: 'flask-session', detection, decoded: decodeFlaskSessionId(value) };
    default:
      return { format: 'unknown', detection };
  }
}

/** Verifies what `readCookie` read, with the secrets and signer settings of `options`. Never throws. */
export function verifyReading(reading: CookieReading, options: AnalyzeOptions = {}): CookieAnalysis {
  const secrets = options.secrets ?? [];
  const signer = { digest: options.digest, keyDerivation: options.keyDerivation };
  switch (reading.format) {
    case 'flask':
      return {
        format: 'flask',
        detection: reading.detection,
        verification: verifyFlaskDecoded(reading.decoded, { ...signer, salt: options.salt ?? FLASK_DEFAULTS.salt, secrets, maxAge: options.maxAge, now: options.now }),
      };
    case 'flask-session':
      return {
        format: 'flask-session',
        detection: reading.detection,
        verification: verifyFlaskSessionDecoded(reading.decoded, { ...signer, salt: options.salt ?? FLASK_SESSION_DEFAULTS.salt, secrets }),
      };
    default:
      return reading;
  }
}

/** Detects the format of one cookie and decodes/verifies it. Never throws. */
export function analyzeCookie(name: string, value: string, options: AnalyzeOptions = {}): CookieAnalysis {
  return verifyReading(readCookie(name, value, options), options);
}
