import {
  COOKIE_SIZE_LIMIT,
  DJANGO_DEFAULTS,
  expiryOf,
  formatDuration,
  signatureTimes,
  type CandidateSource,
  type CookieAnalysis,
  type DjangoVerification,
  type JwtDecoded,
  type SessionCandidate,
  type SessionSettings,
} from '../../../core';

/** Label/value pairs the session view lists; all wording, no session logic. */
export interface Fact {
  label: string;
  value: string;
  tone?: 'warn' | 'bad';
}

/** `2026-11-25 18:43:12 UTC` */
export function formatUtc(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms` : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function relative(ms: number, nowMs: number): string {
  const seconds = Math.round((ms - nowMs) / 1000);
  return seconds >= 0 ? `in ${formatDuration(seconds)}` : `${formatDuration(-seconds)} ago`;
}

export const SOURCE_TEXT: Record<CandidateSource, string> = {
  jar: 'cookie jar',
  response: 'Set-Cookie response',
  request: 'Cookie request header',
};


const yesNo = (flag: boolean) => (flag ? 'yes' : 'no');

export function attributeFacts(candidate: SessionCandidate, nowMs: number): Fact[] {
  const size: Fact = {
    label: 'Size',
    value: `${candidate.sizeBytes} of ${COOKIE_SIZE_LIMIT} bytes`,
    ...(candidate.sizeBytes > COOKIE_SIZE_LIMIT ? { tone: 'bad' as const } : {}),
  };
  const source: Fact = { label: 'Seen in', value: SOURCE_TEXT[candidate.source] };
  const a = candidate.attributes;
  if (!a) {
    return [
      source,
      { label: 'Attributes', value: 'unknown: only a request Cookie header carried it (allow host access to read them from the jar)' },
      size,
    ];
  }
  let expiry: string;
  const expiresAt = expiryOf(a, candidate.attributesAt ?? nowMs);
  if (a.maxAge !== undefined) expiry = `Max-Age=${a.maxAge} (${formatDuration(a.maxAge)})${candidate.attributesAt !== null && expiresAt !== null ? ` → ${formatUtc(expiresAt)}, ${relative(expiresAt, nowMs)}` : ''}`;
  else if (expiresAt !== null) expiry = `${formatUtc(expiresAt)}, ${relative(expiresAt, nowMs)}`;
  else expiry = 'session (until the browser closes)';
  return [
    source,
    ...(candidate.deleted ? [{ label: 'Deleted', value: 'the latest Set-Cookie removed it', tone: 'warn' as const }] : []),
    { label: 'Domain', value: a.domain ?? '(host-only)' },
    { label: 'Path', value: a.path ?? '(default)' },
    { label: 'Expires / Max-Age', value: expiry },
    { label: 'HttpOnly', value: yesNo(a.httpOnly) },
    { label: 'Secure', value: yesNo(a.secure), ...(!a.secure && a.sameSite?.toLowerCase() === 'none' ? { tone: 'bad' as const } : {}) },
    { label: 'SameSite', value: a.sameSite ?? 'not set (browsers use Lax)' },
    { label: 'Partitioned', value: yesNo(a.partitioned) },
    size,
  ];
}

/** Signing time, age and expiry under the lifetime (Flask cookies), the id's facts (Flask-Session), a JWT's times. */
export function sessionFacts(analysis: CookieAnalysis, settings: SessionSettings, nowMs: number): Fact[] {
  if (analysis.format === 'flask-session') {
    const d = analysis.verification.decoded;
    return [
      { label: 'Session id', value: d.sid },
      { label: 'Issued by', value: d.issuedBy },
      { label: 'Signed', value: d.signature === null ? 'no (SESSION_USE_SIGNER off)' : 'yes (itsdangerous Signer, salt "flask-session")' },
    ];
  }
  if (analysis.format === 'jwt') return jwtFacts(analysis.verification.decoded, nowMs);
  if (analysis.format === 'express-session') {
    const { signed, defaultIdShape } = analysis.verification.decoded;
    if (!signed) return [{ label: 'Signed', value: 'no: not "s:" id "." signature, so express-session ignores it', tone: 'bad' }];
    return [
      { label: 'Session id', value: signed.value },
      { label: 'Id shape', value: defaultIdShape ? 'uid-safe, 24 bytes (express-session’s default genid)' : 'a custom genid' },
      { label: 'Signed', value: 'yes (cookie-signature, HMAC-SHA256)' },
    ];
  }
  if (analysis.format === 'cookie-parser') {
    const { signed, json } = analysis.verification.decoded;
    return [
      { label: 'Signed', value: signed ? 'yes (cookie-signature, HMAC-SHA256)' : 'no' },
      { label: 'Value', value: json ? 'JSON ("j:" prefix), parsed by cookie-parser' : 'a string' },
    ];
  }
  if (analysis.format === 'rails') {
    const { kind, message, keyDigest } = analysis.verification.decoded;
    const m = message?.ok ? message.value : null;
    const facts: Fact[] = [
      { label: 'Protection', value: kind === 'encrypted' ? 'AES-256-GCM (encrypted and authenticated)' : kind === 'encrypted-cbc' ? 'AES-256-CBC + HMAC-SHA1 (legacy encryption, before Rails 5.2)' : 'HMAC (signed, readable by anyone)' },
      {
        label: 'Key derivation',
        value: keyDigest ? `PBKDF2-HMAC-${keyDigest === 'sha1' ? 'SHA1 (load_defaults before 7.0)' : 'SHA256 (load_defaults 7.0 and later)'}, 1,000 iterations` : 'PBKDF2 from secret_key_base: SHA-256 (load_defaults ≥ 7.0) and SHA-1 (6.1) are both tried',
      },
    ];
    if (m) {
      facts.push({ label: 'Purpose', value: m.enveloped ? (m.purpose ?? '(none)') : 'none: a cookie from before Rails 6.0 (read under any name)' });
      facts.push(m.expiresAtMs === null ? { label: 'Expires (exp)', value: 'not in the message' } : { label: 'Expires (exp)', value: `${m.expires}, ${relative(m.expiresAtMs, nowMs)}`, ...(m.expiresAtMs <= nowMs ? { tone: 'bad' as const } : {}) });
      facts.push({ label: 'Serializer', value: m.serializer === 'json' ? 'JSON' : 'Marshal (Ruby objects: not decoded)', ...(m.serializer === 'marshal' ? { tone: 'warn' as const } : {}) });
    }
    return facts;
  }
  if (analysis.format === 'cookie-session') {
    const missing = analysis.verification.reason?.code === 'ERR_SIGNATURE_MISSING';
    return [
      { label: 'Signature', value: missing ? 'missing: no .sig cookie came with it' : 'keygrip HMAC (SHA-1 by default) of name=value, in the .sig cookie', ...(missing ? { tone: 'bad' as const } : {}) },
      { label: 'Expiry', value: 'none in the value: only the cookie’s own Expires / Max-Age (the maxAge option)' },
    ];
  }
  if (analysis.format === 'django') return djangoFacts(analysis.verification, nowMs);
  if (analysis.format !== 'flask') return [];
  const decoded = analysis.verification.decoded;
  const facts: Fact[] = [{ label: 'Compressed', value: decoded.compressed ? 'yes (zlib)' : 'no' }];
  const times = signatureTimes(decoded, settings.lifetimeSeconds, nowMs / 1000);
  if (!times) {
    const error = decoded.timestamp && !decoded.timestamp.ok ? decoded.timestamp.error.message : 'no readable timestamp';
    facts.unshift({ label: 'Signed at', value: error, tone: 'warn' });
    return facts;
  }
  const expiresMs = times.expiresAt * 1000;
  facts.unshift(
    { label: 'Signed at', value: `${formatUtc(times.signedAt * 1000)} (${times.signedAt})`, ...(times.state === 'future' ? { tone: 'bad' as const } : {}) },
    { label: 'Age', value: times.ageSeconds >= 0 ? formatDuration(times.ageSeconds) : `${formatDuration(-times.ageSeconds)} in the future` },
    {
      label: `Expires (lifetime ${formatDuration(times.lifetimeSeconds)})`,
      value: `${formatUtc(expiresMs)}, ${times.state === 'expired' ? `expired ${relative(expiresMs, nowMs)}` : relative(expiresMs, nowMs)}`,
      ...(times.state === 'expired' ? { tone: 'bad' as const } : {}),
    },
  );
  if (times.legacySignedAt !== null) {
    facts.push({ label: 'itsdangerous 0.x', value: `if signed by itsdangerous 0.x (2011 epoch): ${formatUtc(times.legacySignedAt * 1000)}`, tone: 'warn' });
  }
  return facts;
}

/** A JWT's algorithm and its time claims (NumericDate seconds), each against the clock. */
function jwtFacts(decoded: JwtDecoded, nowMs: number): Fact[] {
  const facts: Fact[] = [{ label: 'Algorithm', value: decoded.alg ?? '(none given)', ...(decoded.alg?.toLowerCase() === 'none' ? { tone: 'bad' as const } : {}) }];
  const { iat, nbf, exp } = decoded.claims;
  const at = (seconds: number) => `${formatUtc(seconds * 1000)}, ${relative(seconds * 1000, nowMs)} (${seconds})`;
  if (iat !== null) facts.push({ label: 'Issued (iat)', value: at(iat) });
  if (nbf !== null) facts.push({ label: 'Not before (nbf)', value: at(nbf), ...(nbf * 1000 > nowMs ? { tone: 'bad' as const } : {}) });
  facts.push(exp === null ? { label: 'Expires (exp)', value: 'never: no exp claim', tone: 'warn' } : { label: 'Expires (exp)', value: at(exp), ...(exp * 1000 <= nowMs ? { tone: 'bad' as const } : {}) });
  for (const name of decoded.claims.invalid) facts.push({ label: name, value: 'not a NumericDate (seconds): the token is refused', tone: 'bad' });
  return facts;
}

/** When a Django session was signed, and when SESSION_COOKIE_AGE runs out. */
function djangoFacts(verification: DjangoVerification, nowMs: number): Fact[] {
  const { signedAt, compressed, sessionKey } = verification.decoded;
  if (sessionKey !== null) return [{ label: 'Session key', value: sessionKey }, { label: 'Stored', value: 'on the server (SESSION_ENGINE db, cache or file): the cookie is not signed' }];
  const facts: Fact[] = [
    { label: 'Compressed', value: compressed ? 'yes (zlib)' : 'no' },
    verification.legacySha1
      ? { label: 'Algorithm', value: 'HMAC-SHA1 (accepted by Django 3.1 and 3.2 only)', tone: 'warn' as const }
      : { label: 'Algorithm', value: verification.signature === 'valid' ? 'HMAC-SHA256' : 'HMAC-SHA256 by default (SHA-1 before Django 3.1)' },
  ];
  if (signedAt === null) return [{ label: 'Signed at', value: 'the timestamp is not base62', tone: 'bad' }, ...facts];
  const expiresMs = (signedAt + DJANGO_DEFAULTS.maxAgeSeconds) * 1000;
  return [
    { label: 'Signed at', value: `${formatUtc(signedAt * 1000)} (${signedAt})` },
    { label: 'Age', value: nowMs >= signedAt * 1000 ? formatDuration(Math.round(nowMs / 1000 - signedAt)) : `${formatDuration(Math.round(signedAt - nowMs / 1000))} in the future` },
    {
      label: `Expires (SESSION_COOKIE_AGE ${formatDuration(DJANGO_DEFAULTS.maxAgeSeconds)})`,
      value: `${formatUtc(expiresMs)}, ${expiresMs <= nowMs ? `expired ${relative(expiresMs, nowMs)}` : relative(expiresMs, nowMs)}`,
      ...(expiresMs <= nowMs ? { tone: 'bad' as const } : {}),
    },
    ...facts,
  ];
}

/** The value's parts, for "Raw value"; `signatureCookie`: the `.sig` cookie that came with it. */
export function rawSegments(analysis: CookieAnalysis, value: string, signatureCookie: string | null = null): Fact[] {
  if (analysis.format === 'express-session' || analysis.format === 'cookie-parser') {
    const { signed, text } = analysis.verification.decoded;
    const wire = text === value ? [] : [{ label: 'On the wire', value }];
    if (!signed) return [...wire, { label: 'Value', value: text }];
    return [...wire, { label: analysis.format === 'express-session' ? 'Session id' : 'Signed value', value: signed.value }, { label: 'Signature', value: signed.mac || '(empty)' }];
  }
  if (analysis.format === 'rails') {
    const { kind, parts } = analysis.verification.decoded;
    if (kind === 'encrypted') return ['Ciphertext', 'IV', 'Auth tag'].map((label, i) => ({ label, value: parts[i]! }));
    if (kind) return ['Data', 'Digest'].map((label, i) => ({ label, value: parts[i]! }));
    return [{ label: 'Value', value }];
  }
  if (analysis.format === 'cookie-session') {
    return [
      { label: 'Value', value },
      { label: 'Signature (.sig cookie)', value: signatureCookie ?? '(missing)' },
    ];
  }
  if (analysis.format === 'flask') {
    const s = analysis.verification.decoded.segments;
    if (!s) return [{ label: 'Value', value }];
    return [
      { label: 'Payload', value: s.payload },
      { label: 'Timestamp', value: s.timestamp ?? '(none)' },
      { label: 'Signature', value: s.signature ?? '(none)' },
    ];
  }
  if (analysis.format === 'flask-session') {
    const d = analysis.verification.decoded;
    return [{ label: 'Session id', value: d.sid }, ...(d.signature === null ? [] : [{ label: 'Signature', value: d.signature }])];
  }
  if (analysis.format === 'django') {
    const { segments: s, sessionKey } = analysis.verification.decoded;
    if (sessionKey !== null) return [{ label: 'Session key', value: sessionKey }];
    if (!s) return [{ label: 'Value', value }];
    return [
      { label: 'Payload', value: s.body },
      { label: 'Timestamp', value: s.timestamp },
      { label: 'Signature', value: s.signature },
    ];
  }
  if (analysis.format === 'jwt') {
    const s = analysis.verification.decoded.segments;
    if (!s) return [{ label: 'Value', value }];
    return [
      { label: 'Header', value: s.header },
      { label: 'Payload', value: s.payload },
      { label: 'Signature', value: s.signature || '(empty)' },
    ];
  }
  return [{ label: 'Value', value }];
}
