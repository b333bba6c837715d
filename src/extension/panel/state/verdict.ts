import { formatById, formatDuration, signatureTimes, type CookieAnalysis, type SessionSettings, type SignatureTimes } from '../../../core';

/** The verification result in the panel's words, from the core's verification fields. */
export interface VerdictView {
  tone: 'ok' | 'bad' | 'warn' | 'neutral';
  headline: string;
  details: string[];
}

export const NOT_VERIFIED = "Not verified — paste the app's SECRET_KEY";

function keyOf(index: number | null, count: number): string {
  return `key ${(index ?? 0) + 1} of ${count}`;
}

function invalidFor(count: number): string {
  return count === 1 ? 'Signature invalid for this key' : `Signature invalid for all ${count} keys`;
}

function fallbackNote(index: number | null): string | null {
  if (index === null || index === 0) return null;
  return `Matched fallback key ${index} (SECRET_KEY_FALLBACKS[${index - 1}]), not SECRET_KEY: a key rotation is in progress. Flask ≥ 3.1 accepts it; older Flask does not.`;
}

function ageText(times: SignatureTimes): string {
  return times.ageSeconds >= 0 ? `signed ${formatDuration(times.ageSeconds)} ago` : `signed ${formatDuration(-times.ageSeconds)} in the future`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function describeVerdict(analysis: CookieAnalysis, settings: SessionSettings, nowMs: number): VerdictView {
  const count = settings.secrets.length;
  if (analysis.format === 'unknown') {
    return {
      tone: 'neutral',
      headline: 'Unknown format — nothing to verify',
      details: ['This cookie does not have the shape of a Flask session cookie or a Flask-Session id.'],
    };
  }
  const notes = [...analysis.verification.notes];
  const reason = analysis.verification.reason?.message;

  if (analysis.format === 'flask-session') {
    const v = analysis.verification;
    if (v.decoded.signature === null) return { tone: 'neutral', headline: 'Unsigned session id — nothing to verify', details: notes };
    switch (v.verdict) {
      case 'unverified':
        return { tone: 'neutral', headline: NOT_VERIFIED, details: ['The id is signed (SESSION_USE_SIGNER).', ...notes] };
      case 'valid':
        return { tone: v.matchedSecretIndex ? 'warn' : 'ok', headline: `Signature valid (${keyOf(v.matchedSecretIndex, count)})`, details: notes };
      case 'bad_signature':
        return { tone: 'bad', headline: invalidFor(count), details: [reason ?? '', 'Flask-Session ignores the id and starts a new session.', ...notes].filter(Boolean) };
      default:
        return { tone: 'bad', headline: 'Cannot verify', details: [reason ?? v.verdict, ...notes] };
    }
  }

  if (analysis.format === 'jwt') {
    const v = analysis.verification;
    const key = `Signature valid (${keyOf(v.matchedSecretIndex, count)})`;
    switch (v.verdict) {
      case 'unverified':
        return { tone: 'neutral', headline: reason ? `Not verifiable — ${reason}` : 'Not verified — paste the secret the app signs its tokens with', details: notes };
      case 'valid':
        return { tone: 'ok', headline: key, details: notes };
      case 'expired':
      case 'future_timestamp':
        return { tone: 'bad', headline: `${v.signature === 'valid' ? key : 'Not verified'} — ${v.verdict === 'expired' ? 'expired' : 'not valid yet'}`, details: [reason ?? '', ...notes].filter(Boolean) };
      case 'bad_signature':
        return { tone: 'bad', headline: invalidFor(count), details: [reason ?? '', 'The app rejects the token.', ...notes].filter(Boolean) };
      default:
        return { tone: 'bad', headline: 'Cannot read this token', details: [reason ?? v.verdict, ...notes] };
    }
  }

  if (analysis.format === 'express-session' || analysis.format === 'cookie-parser' || analysis.format === 'cookie-session' || analysis.format === 'rails') {
    const v = analysis.verification;
    const { secretSetting } = formatById(analysis.format).terms;
    const valid = `Signature valid (${keyOf(v.matchedSecretIndex, count)})`;
    switch (v.verdict) {
      case 'unverified':
        return { tone: 'neutral', headline: `Not verified — paste the app's ${secretSetting}`, details: notes };
      case 'valid':
        return { tone: v.matchedSecretIndex || notes.length > 1 ? 'warn' : 'ok', headline: valid, details: notes };
      case 'bad_signature':
        return {
          tone: 'bad',
          headline: v.reason?.code === 'ERR_SIGNATURE_MISSING' ? 'No signature: the .sig cookie is missing' : invalidFor(count),
          details: [reason ?? '', ...notes].filter(Boolean),
        };
      case 'too_large':
        return { tone: 'bad', headline: 'Payload refused: too costly to decode', details: [reason ?? '', ...notes].filter(Boolean) };
      case 'expired':
        return { tone: 'bad', headline: `${valid} — expired`, details: [reason ?? '', ...notes].filter(Boolean) };
      default:
        return { tone: 'bad', headline: v.signature === 'valid' ? `${valid} — bad payload` : 'Cannot read this cookie', details: [reason ?? v.verdict, ...notes].filter(Boolean) };
    }
  }

  if (analysis.format === 'django') {
    const v = analysis.verification;
    if (v.decoded.sessionKey !== null) return { tone: 'neutral', headline: 'Server-side session key — nothing to verify', details: notes };
    const valid = `Signature valid (${keyOf(v.matchedSecretIndex, count)})`;
    const details = [fallbackNote(v.matchedSecretIndex), ...notes].filter((x): x is string => x !== null);
    const fresh = 'Django ignores it and starts a new, empty session.';
    switch (v.verdict) {
      case 'unverified':
        return { tone: 'neutral', headline: NOT_VERIFIED, details: notes };
      case 'valid':
        return { tone: v.matchedSecretIndex || v.legacySha1 ? 'warn' : 'ok', headline: valid, details };
      case 'expired':
        return { tone: 'bad', headline: `${v.signature === 'valid' ? valid : 'Not verified'} — expired (SESSION_COOKIE_AGE)`, details: [reason ?? '', fresh, ...notes].filter(Boolean) };
      case 'bad_signature':
        return { tone: 'bad', headline: invalidFor(count), details: [reason ?? '', fresh, ...notes].filter(Boolean) };
      case 'too_large':
        return { tone: 'bad', headline: v.signature === 'valid' ? `${valid} — payload refused: too costly to decode` : 'Payload refused: too costly to decode', details: [reason ?? '', ...notes].filter(Boolean) };
      default:
        return { tone: 'bad', headline: v.signature === 'valid' ? `${valid} — bad payload` : 'Cannot read this cookie', details: [reason ?? v.verdict, fresh, ...notes].filter(Boolean) };
    }
  }

  const v = analysis.verification;
  const times = signatureTimes(v.decoded, settings.lifetimeSeconds, nowMs / 1000);
  const lifetime = formatDuration(settings.lifetimeSeconds);
  const valid = `Signature valid (${keyOf(v.matchedSecretIndex, count)})`;
  const signedDetails = [fallbackNote(v.matchedSecretIndex), ...notes].filter((x): x is string => x !== null);
  if (v.signature === 'valid_noncanonical') {
    signedDetails.unshift('The signature is non-canonical base64: Python reads it leniently and Flask accepts it; strict verifiers would not.');
  }
  switch (v.verdict) {
    case 'unverified': {
      const details = [...notes];
      if (times?.state === 'expired') {
        details.unshift(`Already expired, whatever the key: ${ageText(times)}, longer than the lifetime (${lifetime}). Flask ignores it and starts an empty session.`);
      } else if (times?.state === 'future') {
        details.unshift(`Signed in the future by this browser's clock (${ageText(times)}); itsdangerous ≥ 2.0 rejects that. Check the server's clock.`);
      }
      return { tone: times && times.state !== 'fresh' ? 'warn' : 'neutral', headline: NOT_VERIFIED, details };
    }
    case 'valid':
      return {
        tone: v.matchedSecretIndex || v.signature === 'valid_noncanonical' || notes.length > 0 ? 'warn' : 'ok',
        headline: v.signature === 'valid_noncanonical' ? `${valid}, non-canonical` : valid,
        details: signedDetails,
      };
    case 'expired':
      return {
        tone: 'bad',
        headline: `${valid} — expired`,
        details: [`${times ? capitalize(ageText(times)) : 'Too old'}; the lifetime is ${lifetime}. Flask ignores it and starts an empty session.`, ...signedDetails],
      };
    case 'future_timestamp':
      return {
        tone: 'bad',
        headline: `${valid} — signed in the future`,
        details: [`${reason ?? 'Signed after now.'} Flask (itsdangerous ≥ 2.0) rejects it and starts an empty session.`, ...signedDetails],
      };
    case 'bad_payload':
      return { tone: 'bad', headline: `${valid} — bad payload (HTTP 500)`, details: [reason ?? 'The payload cannot be decoded.', ...signedDetails] };
    case 'bad_signature':
      if (v.signature === 'invalid') {
        return { tone: 'bad', headline: invalidFor(count), details: [reason ?? '', 'Flask ignores the cookie and starts an empty session.', ...notes].filter(Boolean) };
      }
      return { tone: 'bad', headline: `${valid}, but not a session cookie`, details: [reason ?? '', ...notes].filter(Boolean) };
    case 'too_large':
      return {
        tone: 'warn',
        headline: v.signature === 'not_checked' ? 'Payload refused: too costly to decode' : `${valid} — payload refused: too costly to decode`,
        details: [
          reason ?? 'The payload is too large to decode.',
          'Its nested tags amplify when decoded (Flask itself spends seconds and gigabytes on such a cookie); Session Lens stops instead of freezing DevTools.',
          ...notes,
        ],
      };
    case 'malformed':
      return {
        tone: 'bad',
        headline: v.reason?.code === 'ERR_SECRET_INVALID' ? 'A secret is not valid hex' : 'Malformed cookie',
        details: [reason ?? 'The value cannot be read as a Flask session cookie.', ...notes],
      };
  }
}
