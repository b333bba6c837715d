import {
  findSessionCandidates,
  readCookie,
  signerSettingsFor,
  verifyReading,
  type CapturedExchange,
  type CookieAnalysis,
  type JarCookie,
  type SecretInput,
  type SessionCandidate,
  type SessionSettings,
} from '../../../core';
import type { OriginSettings } from '../../platform/settings-store';

/** Derivations from the panel's inputs; everything about sessions is the core's. */

/** The core's SessionSettings from the form: empty secret rows and blank names are left out. */
export function toSessionSettings(settings: OriginSettings): SessionSettings {
  const cookieNames = settings.cookieNames.map((n) => n.trim()).filter(Boolean);
  return {
    cookieNames,
    secrets: settings.secrets.filter((s) => s.value !== '').map((s): SecretInput => (s.encoding === 'hex' ? { hex: s.value } : { text: s.value })),
    salt: settings.salt === '' ? undefined : settings.salt,
    digest: settings.digest,
    keyDerivation: settings.keyDerivation,
    lifetimeSeconds: settings.lifetimeSeconds,
  };
}

function hostnameOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}

/** Exchanges with the inspected origin's host: cookies belong to hosts, whatever the port. */
export function siteExchanges(exchanges: readonly CapturedExchange[], origin: string | null): CapturedExchange[] {
  const host = origin === null ? null : hostnameOf(origin);
  if (host === null) return [];
  return exchanges.filter((e) => hostnameOf(e.url) === host);
}

export function sessionCandidates(
  exchanges: readonly CapturedExchange[],
  jar: readonly JarCookie[],
  origin: string | null,
  settings: SessionSettings,
  pinnedName: string | null,
  nowMs: number,
): SessionCandidate[] {
  return findSessionCandidates(siteExchanges(exchanges, origin), jar, { configuredNames: settings.cookieNames, pinnedName, nowMs });
}

/** The candidate the panel shows: the pinned one, else the one the user picked, else the most likely. */
export function chooseCandidate(candidates: readonly SessionCandidate[], pinned: string | null, picked: string | null): SessionCandidate | null {
  return candidates.find((c) => c.name === pinned) ?? candidates.find((c) => c.name === picked) ?? candidates[0] ?? null;
}

/**
 * Decode and verify as the app would now. The lifetime setting is Flask's PERMANENT_SESSION_LIFETIME,
 * so only Flask cookies get that age check; other formats apply their framework's default
 * (Django's SESSION_COOKIE_AGE); the signer settings are Flask's (signerSettingsFor).
 */
export function analyzeCandidate(candidate: SessionCandidate, settings: SessionSettings, nowMs: number): CookieAnalysis {
  const reading = readCookie(candidate.name, candidate.value);
  return verifyReading(reading, {
    secrets: settings.secrets,
    ...signerSettingsFor(reading.format, settings),
    ...(reading.format === 'flask' ? { maxAge: settings.lifetimeSeconds } : {}),
    now: Math.floor(nowMs / 1000),
    cookieName: candidate.name,
    signatureCookie: candidate.signatureCookie,
  });
}
