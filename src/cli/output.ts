import {
  LEGACY_EPOCH,
  formatDuration,
  jsonString,
  prettyRepr,
  writeTypedJson,
  type CookieAnalysis,
  type KnownFormatId,
  type PyValue,
  type Result,
  type Verdict,
  formatTitle,
  writePythonJson,
} from '../core';

/** Renders analyses for people (text) and for programs (one JSON object). */

export function exitCodeFor(verdict: Verdict): number {
  if (verdict === 'valid' || verdict === 'unverified') return 0;
  if (verdict === 'malformed' || verdict === 'too_large') return 2;
  return 1;
}

function verdictOf(analysis: CookieAnalysis): Verdict {
  return analysis.format === 'unknown' ? 'malformed' : analysis.verification.verdict;
}

export function analysisExitCode(analysis: CookieAnalysis): number {
  return exitCodeFor(verdictOf(analysis));
}

/** A JSON format's value as the JSON it was (no `$type` representation), key order kept. */
function plainJson(value: PyValue): string {
  return writePythonJson(value, { sortKeys: false, ensureAscii: false });
}

/** JSON text with the payload in the `$type` representation (plain JSON for JSON formats); integers are written exactly. */
export function analysisJson(analysis: CookieAnalysis, inputNotes: readonly string[] = []): string {
  const fields: [string, string][] = [['format', jsonString(analysis.format, false)], ['deletion', 'false']];
  const add = (key: string, text: string) => fields.push([key, text]);
  const str = (s: string | null) => (s === null ? 'null' : jsonString(s, false));
  if (analysis.format === 'unknown') {
    add('signature', str('not_checked'));
    add('verdict', str('malformed'));
    add('matched_secret_index', 'null');
    add('payload', 'null');
    add('timestamp', 'null');
    add('compressed', 'false');
    add('reason', `{"code":"ERR_COOKIE_STRUCTURE","message":${str(analysis.detection.reasons.join('; '))}}`);
    add('notes', JSON.stringify(inputNotes));
  } else {
    const v = analysis.verification;
    add('signature', str(v.signature));
    add('verdict', str(v.verdict));
    add('matched_secret_index', v.matchedSecretIndex === null ? 'null' : String(v.matchedSecretIndex));
    if (v.format === 'flask') {
      const d = v.decoded;
      add('payload', d.payload?.ok ? writeTypedJson(d.payload.value.value) : 'null');
      const ts = d.timestamp?.ok ? d.timestamp.value : null;
      add('timestamp', ts ? ts.seconds.toString() : 'null');
      if (ts?.legacySeconds !== null && ts?.legacySeconds !== undefined) add('legacy_timestamp', ts.legacySeconds.toString());
      add('compressed', String(d.compressed));
      if (d.payload && !d.payload.ok) add('payload_error', JSON.stringify(d.payload.error));
      if (d.segments) {
        add('segments', JSON.stringify({ payload: d.segments.payload, timestamp: d.segments.timestamp, signature: d.segments.signature }));
      }
      if (v.ageSeconds !== null) add('age_seconds', String(v.ageSeconds));
    } else if (v.format === 'jwt') {
      const d = v.decoded;
      // Plain JSON, as the token carries it (a JSON format: no $type representation).
      add('payload', d.payload ? plainJson(d.payload) : 'null');
      add('timestamp', d.claims.iat === null ? 'null' : String(d.claims.iat));
      add('compressed', 'false');
      add('header', d.header ? plainJson(d.header) : 'null');
      add('alg', str(d.alg));
      add('expires_at', d.claims.exp === null ? 'null' : String(d.claims.exp));
      add('not_before', d.claims.nbf === null ? 'null' : String(d.claims.nbf));
    } else if (v.format === 'django') {
      const d = v.decoded;
      add('payload', d.payload?.ok ? writeTypedJson(d.payload.value.value) : 'null');
      add('timestamp', d.signedAt === null ? 'null' : String(d.signedAt));
      add('compressed', String(d.compressed));
      if (d.payload && !d.payload.ok) add('payload_error', JSON.stringify(d.payload.error));
      if (d.segments) add('segments', JSON.stringify(d.segments));
      add('session_key', str(d.sessionKey));
      add('legacy_sha1', String(v.legacySha1));
    } else if (v.format === 'express-session') {
      // The id is what the cookie carries; the session itself is in the server's store.
      const id = v.decoded.signed?.value ?? null;
      add('payload', str(id));
      add('timestamp', 'null');
      add('compressed', 'false');
      add('session_id', str(id));
      add('signed', String(v.decoded.signed !== null));
    } else if (v.format === 'cookie-parser') {
      add('payload', v.decoded.value ? plainJson(v.decoded.value) : 'null');
      add('timestamp', 'null');
      add('compressed', 'false');
      add('json_value', String(v.decoded.json));
    } else if (v.format === 'cookie-session') {
      const { payload } = v.decoded;
      add('payload', payload.ok ? plainJson(payload.value) : 'null');
      add('timestamp', 'null');
      add('compressed', 'false');
      if (!payload.ok) add('payload_error', JSON.stringify(payload.error));
    } else if (v.format === 'rails') {
      const { message, kind, keyDigest } = v.decoded;
      const m = message?.ok ? message.value : null;
      add('payload', m?.value ? plainJson(m.value) : 'null');
      add('timestamp', 'null');
      add('compressed', 'false');
      add('kind', str(kind));
      add('purpose', str(m?.purpose ?? null));
      add('expires_at', str(m?.expires ?? null));
      add('serializer', str(m?.serializer ?? null));
      add('key_digest', str(keyDigest));
      if (message && !message.ok) add('payload_error', JSON.stringify(message.error));
    } else {
      add('payload', 'null');
      add('timestamp', 'null');
      add('compressed', 'false');
      add('session_id', str(v.decoded.sid));
      add('session_id_kind', str(v.decoded.sidKind));
      add('signed', String(v.decoded.signature !== null));
    }
    add('reason', v.reason ? JSON.stringify(v.reason) : 'null');
    add('notes', JSON.stringify([...v.notes, ...inputNotes]));
  }
  add('detection', JSON.stringify(analysis.detection));
  return `{${fields.map(([k, text]) => `${JSON.stringify(k)}:${text}`).join(',')}}`;
}

/** A Set-Cookie that deletes the cookie: nothing is decoded, whatever the format would have been. */
export function deletionJson(name: string, inputNotes: readonly string[] = []): string {
  const detection = { format: 'unknown', confidence: 'high', reasons: [`a Set-Cookie that deletes ${name}: the browser drops it, so there is no value to read`] };
  return `{"format":"unknown","deletion":true,"signature":"not_checked","verdict":"unverified","matched_secret_index":null,"payload":null,"timestamp":null,"compressed":false,"reason":null,"notes":${JSON.stringify(inputNotes)},"detection":${JSON.stringify(detection)}}`;
}

export function deletionText(name: string, inputNotes: readonly string[] = []): Line[] {
  return [
    row('Format', 'none — a Set-Cookie that deletes the cookie'),
    row('Deletion', tone('warn', `deletes ${name}: the browser drops it and later requests carry no such cookie`)),
    ...inputNotes.map((note) => row('Note', tone('warn', note))),
  ];
}

type Tone = 'bold' | 'dim' | 'good' | 'bad' | 'warn';
const TONE_SGR: Record<Tone, string> = { bold: '1', dim: '2', good: '32', bad: '31', warn: '33' };

/** A piece of a text line: plain text, or text in a tone (color on a terminal). */
export type Span = string | { tone: Tone; text: string };
export type Line = Span[];

function tone(name: Tone, text: string): Span {
  return { tone: name, text };
}

function row(label: string, ...spans: Span[]): Line {
  return [tone('bold', label.padEnd(10)), ' ', ...spans];
}

// C0, DEL, C1, format controls (bidi overrides, zero-width, BOM…), line/paragraph separators, lone surrogates.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;
const SHORT_ESCAPES = new Map([
  ['\t', '\\t'],
  ['\n', '\\n'],
  ['\r', '\\r'],
]);

/** Text that cannot drive a terminal: every control or invisible format character is written as a Python-style escape. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (ch) => {
    const short = SHORT_ESCAPES.get(ch);
    if (short !== undefined) return short;
    const code = ch.codePointAt(0)!;
    if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
    return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
  });
}

/** The same characters as `\u` escapes, which JSON strings allow: the parsed value is unchanged. */
export function safeJson(json: string): string {
  return json.replace(UNSAFE, (ch) => [...Array(ch.length).keys()].map((i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''));
}

function renderLine(line: Line, color: boolean): string {
  return line
    .map((span) => {
      if (typeof span === 'string') return safeText(span);
      const text = safeText(span.text);
      return color ? `\x1b[${TONE_SGR[span.tone]}m${text}\x1b[0m` : text;
    })
    .join('');
}

export interface Printer {
  lines(lines: Line[]): void;
  json(text: string): void;
  /** One message on stderr, `session-lens: ` first; each of its lines is escaped. */
  error(message: string): void;
}

/** The only way the CLI writes: whatever a cookie contains, no control character reaches the terminal raw. */
export function makePrinter(io: { stdout(text: string): void; stderr(text: string): void; color: boolean }): Printer {
  return {
    lines: (lines) => io.stdout(lines.map((line) => renderLine(line, io.color) + '\n').join('')),
    json: (text) => io.stdout(`${safeJson(text)}\n`),
    error: (message) => io.stderr(`session-lens: ${message.split('\n').map(safeText).join('\n')}\n`),
  };
}

function utc(seconds: bigint): string {
  const n = Number(seconds);
  if (n > 253402300799) return `${seconds} (beyond year 9999)`;
  return new Date(n * 1000).toISOString().replace('T', ' ').replace('.000Z', ' UTC');
}

const VERDICT_TEXT: Record<Verdict, string> = {
  valid: 'valid — the server accepts this cookie',
  unverified: 'not verified — pass --secret to check the signature',
  bad_signature: 'bad signature — the server ignores this cookie and starts an empty session',
  expired: 'expired — the signature is older than the max age; the server starts an empty session',
  future_timestamp: 'signed in the future — itsdangerous ≥ 2.0 rejects it (clock skew?)',
  bad_payload: 'signed, but the payload cannot be decoded — Flask answers HTTP 500',
  malformed: 'malformed — not a readable session cookie',
  too_large: 'refused — the payload is too costly to decode safely (nested tags amplify it)',
};

/** Where a format's verdict means something else than a Flask one, in that framework's words. */
const FORMAT_VERDICT_TEXT: Partial<Record<KnownFormatId, Partial<Record<Verdict, string>>>> = {
  jwt: {
    bad_signature: 'bad signature — the app rejects this token',
    expired: 'expired — past its exp claim (or --max-age since iat); the app rejects this token',
    future_timestamp: 'not valid yet — its nbf claim is in the future',
    bad_payload: 'invalid — a time claim (exp, nbf, iat) is not a number',
  },
  // Whatever fails, Django starts a new, empty session (it never answers HTTP 500).
  django: {
    expired: 'expired — signed longer ago than SESSION_COOKIE_AGE; Django starts a new, empty session',
    bad_payload: 'signed, but the payload cannot be decoded — Django starts a new, empty session',
  },
  'express-session': { bad_signature: 'bad signature — express-session ignores the id and starts a new session' },
  'cookie-parser': { bad_signature: 'bad signature — req.signedCookies holds false for this cookie' },
  rails: {
    bad_signature: 'bad signature — Rails reads the cookie as absent (an empty session)',
    expired: "expired — past the message's exp; Rails reads the cookie as absent",
    bad_payload: 'authentic, but the message cannot be decoded',
  },
  'cookie-session': {
    bad_signature: 'bad signature — cookie-session ignores this cookie and starts an empty session',
    bad_payload: 'signed, but the payload cannot be decoded — cookie-session starts an empty session',
  },
};

export function analysisText(analysis: CookieAnalysis, secretCount: number, inputNotes: readonly string[] = []): Line[] {
  const lines: Line[] = [];
  const notes = (all: readonly string[]) => lines.push(...all.map((note) => row('Note', tone('warn', note))));
  /** A payload Python decoded (Flask, Django), as Python prints it. */
  const payloadLines = (payload: Result<{ value: PyValue }> | null) => {
    if (payload?.ok) {
      lines.push([tone('bold', 'Payload')]);
      const pretty = prettyRepr(payload.value.value, { indent: '  ' });
      lines.push(...`  ${pretty.text}`.split('\n').map((line) => [line]));
      if (pretty.truncated) lines.push([tone('warn', '  … the payload is too long to print in full; --json prints all of it')]);
    } else if (payload) {
      lines.push(row('Payload', tone('bad', `${payload.error.message} [${payload.error.code}]`)));
    }
  };
  /** A JSON format's value as JSON, not as Python would print it. */
  const jsonLines = (label: string, value: PyValue | null) => {
    if (!value) return;
    lines.push([tone('bold', label)]);
    lines.push(...writeTypedJson(value, '  ').split('\n').map((line) => [`  ${line}`]));
  };
  if (analysis.format === 'unknown') {
    lines.push(row('Format', 'unknown'), row('Verdict', tone('bad', VERDICT_TEXT.malformed)), row('Why', analysis.detection.reasons.join('; ')));
    notes(inputNotes);
    return lines;
  }
  const v = analysis.verification;
  if (v.format !== 'flask-session') {
    lines.push(row('Format', formatTitle(analysis, ', ')));
  } else {
    const d = v.decoded;
    lines.push(row('Format', formatTitle(analysis, ', ')), row('Session id', d.sid, ' ', tone('dim', `(${d.issuedBy})`)));
  }
  const signature: Span[] =
    v.signature === 'not_checked'
      ? [tone('dim', 'not checked')]
      : v.signature === 'invalid'
        ? [tone('bad', secretCount > 1 ? `invalid for all ${secretCount} keys` : 'invalid')]
        : [
            tone('good', `valid${secretCount > 1 ? ` (key ${v.matchedSecretIndex! + 1} of ${secretCount})` : ''}`),
            ...(v.signature === 'valid_noncanonical' ? [tone('warn', " — only under Python's lenient base64 (non-canonical encoding)")] : []),
          ];
  lines.push(row('Signature', ...signature));
  lines.push(row('Verdict', tone(v.verdict === 'valid' ? 'good' : v.verdict === 'unverified' ? 'dim' : 'bad', FORMAT_VERDICT_TEXT[v.format]?.[v.verdict] ?? VERDICT_TEXT[v.verdict])));
  if (v.reason && v.verdict !== 'unverified' && v.verdict !== 'valid') lines.push(row('Why', v.reason.message, ' ', tone('dim', `[${v.reason.code}]`)));
  if (v.format === 'flask') {
    const d = v.decoded;
    if (d.timestamp?.ok) {
      const { seconds, legacySeconds } = d.timestamp.value;
      lines.push(row('Signed at', utc(seconds), ' ', tone('dim', `(${seconds})`), v.ageSeconds !== null ? `, age ${formatDuration(v.ageSeconds)}` : ''));
      if (legacySeconds !== null) lines.push(row('Legacy', `${utc(legacySeconds)} if signed by itsdangerous 0.x (epoch ${LEGACY_EPOCH})`));
    } else if (d.timestamp && !d.timestamp.ok) {
      lines.push(row('Signed at', tone('bad', d.timestamp.error.message)));
    }
    payloadLines(d.payload);
  }
  if (v.format === 'django') {
    const d = v.decoded;
    if (d.sessionKey !== null) lines.push(row('Session key', d.sessionKey, ' ', tone('dim', '(the session is stored on the server)')));
    if (d.signedAt !== null) lines.push(row('Signed at', utc(BigInt(d.signedAt)), ' ', tone('dim', `(${d.signedAt})`)));
    payloadLines(d.payload);
  }
  if (v.format === 'jwt') {
    const { claims, payload } = v.decoded;
    for (const [label, seconds] of [['Issued at', claims.iat], ['Expires', claims.exp], ['Not before', claims.nbf]] as const) {
      if (seconds !== null) lines.push(row(label, utc(BigInt(Math.floor(seconds))), ' ', tone('dim', `(${seconds})`)));
    }
    jsonLines('Payload', payload);
  }
  if (v.format === 'express-session' && v.decoded.signed) lines.push(row('Session id', v.decoded.signed.value, ' ', tone('dim', "(the session's data is in the server's store)")));
  if (v.format === 'cookie-parser') jsonLines('Value', v.decoded.value);
  if (v.format === 'rails') {
    const { message } = v.decoded;
    if (message?.ok) {
      if (message.value.purpose !== null) lines.push(row('Purpose', message.value.purpose));
      if (message.value.expires !== null) lines.push(row('Expires', message.value.expires));
      jsonLines('Payload', message.value.value);
    } else if (message) lines.push(row('Payload', tone('bad', `${message.error.message} [${message.error.code}]`)));
  }
  if (v.format === 'cookie-session') {
    const { payload } = v.decoded;
    if (payload.ok) jsonLines('Payload', payload.value);
    else lines.push(row('Payload', tone('bad', `${payload.error.message} [${payload.error.code}]`)));
  }
  notes([...v.notes, ...inputNotes]);
  return lines;
}
