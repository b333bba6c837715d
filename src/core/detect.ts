import { FORMATS, formatById, type DecodedOf, type FormatDetection, type KnownFormatId, type VerificationOf } from './formats/registry';
import type { Confidence, Notation, VerifyInput } from './formats/types';
import type { PyValue } from './python/pyvalue';

const CONFIDENCE_RANK: Record<Confidence, number> = { high: 3, medium: 2, low: 1 };

/**
 * Detection is pure but not free (a compressed payload is inflated a little to glance at it), and
 * the panel finds candidates and Timeline session names again on every batch of traffic: a site
 * that sets 200 Flask-shaped cookies would cost that work on each request. Answers are remembered
 * per name and value (values a browser could store; at most DETECTION_CACHE_SIZE, then all forgotten).
 */
const DETECTION_CACHE_SIZE = 512;
const CACHED_VALUE_LENGTH = 8192;
const detections = new Map<string, Map<string, FormatDetection[]>>();
let detectionCount = 0;

/** Every format the cookie could be, most likely first; an `unknown` detection when none fits. Shared: do not mutate. */
export function detectFormats(name: string, value: string): FormatDetection[] {
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

function detectUncached(name: string, value: string): FormatDetection[] {
  const found = FORMATS.map((format): FormatDetection | null => format.detect(name, value)).filter((d) => d !== null);
  found.sort((a, b) => CONFIDENCE_RANK[b.confidence] - CONFIDENCE_RANK[a.confidence]);
  return found.length > 0 ? found : [{ format: 'unknown', confidence: 'low', reasons: ['no known session cookie shape'] }];
}

export interface AnalyzeOptions extends Partial<VerifyInput> {
  /** Analyse as this format instead of the detected one. */
  format?: KnownFormatId;
  /** Analyse as this format when no format is recognised (rather than reporting `unknown`). */
  fallbackFormat?: KnownFormatId;
}

/** A cookie detected and decoded: everything about it that no secret or signer setting changes. */
export type CookieReading =
  | { [F in KnownFormatId]: { format: F; detection: FormatDetection; decoded: DecodedOf<F> } }[KnownFormatId]
  | { format: 'unknown'; detection: FormatDetection };

export type CookieAnalysis =
  | { [F in KnownFormatId]: { format: F; detection: FormatDetection; verification: VerificationOf<F> } }[KnownFormatId]
  | { format: 'unknown'; detection: FormatDetection };

/** Detects the format of one cookie and decodes it, without verifying. Never throws. */
export function readCookie(name: string, value: string, options: Pick<AnalyzeOptions, 'format' | 'fallbackFormat'> = {}): CookieReading {
  const detections = detectFormats(name, value);
  const wanted = options.format ?? (detections[0]!.format === 'unknown' ? options.fallbackFormat : undefined);
  const detection: FormatDetection = !wanted
    ? detections[0]!
    : (detections.find((d) => d.format === wanted) ?? {
        format: wanted,
        confidence: 'low',
        reasons: [options.format ? 'format chosen by the user' : `no known shape; read as ${wanted}`],
      });
  if (detection.format === 'unknown') return { format: 'unknown', detection };
  // One cast: TypeScript cannot tie the id to its own format's decoded type through the registry.
  return { format: detection.format, detection, decoded: formatById(detection.format).decode(value) } as CookieReading;
}

/** Verifies what `readCookie` read, with the secrets and signer settings of `options`. Never throws. */
export function verifyReading(reading: CookieReading, options: AnalyzeOptions = {}): CookieAnalysis {
  if (reading.format === 'unknown') return reading;
  const input: VerifyInput = { ...options, secrets: options.secrets ?? [] };
  const format = formatById(reading.format) as { verify(decoded: unknown, input: VerifyInput): unknown };
  return { format: reading.format, detection: reading.detection, verification: format.verify(reading.decoded, input) } as CookieAnalysis;
}

/** Detects the format of one cookie and decodes/verifies it. Never throws. */
export function analyzeCookie(name: string, value: string, options: AnalyzeOptions = {}): CookieAnalysis {
  return verifyReading(readCookie(name, value, options), options);
}

/** "Flask signed cookie", "Flask-Session id · signed", "Unknown format": what the cookie is, for display. */
export function formatTitle(reading: CookieReading | CookieAnalysis, separator = ' · '): string {
  if (reading.format === 'unknown') return 'Unknown format';
  const format = formatById(reading.format) as { label: string; describe(decoded: unknown): string | null };
  const variant = format.describe('decoded' in reading ? reading.decoded : reading.verification.decoded);
  return variant ? `${format.label}${separator}${variant}` : format.label;
}

/** The session data the cookie itself carries, in whatever format (null: a server-side session's id, unknown or unreadable). */
export function carriedPayload(analysis: CookieAnalysis): PyValue | null {
  if (analysis.format === 'unknown') return null;
  const format = formatById(analysis.format) as { payload(decoded: unknown): PyValue | null };
  return format.payload(analysis.verification.decoded);
}

/** How the cookie's framework writes its values: Python's repr or JSON. */
export function notationOf(analysis: CookieAnalysis): Notation {
  return analysis.format === 'unknown' ? 'python' : formatById(analysis.format).notation;
}
