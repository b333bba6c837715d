import {
  LEGACY_EPOCH,
  formatDuration,
  jsonString,
  pyRepr,
  reprStr,
  writeTypedJson,
  type CookieAnalysis,
  type PyValue,
  type Verdict,
} from '../core';

/** Renders analyses for people (text) and for programs (one JSON object). */

export function exitCodeFor(verdict: Verdict): number {
  if (verdict === 'valid' || verdict === 'unverified') return 0;
  if (verdict === 'malformed') return 2;
  return 1;
}

function verdictOf(analysis: CookieAnalysis): Verdict {
  return analysis.format === 'unknown' ? 'malformed' : analysis.verification.verdict;
}

export function analysisExitCode(analysis: CookieAnalysis): number {
  return exitCodeFor(verdictOf(analysis));
}

/** JSON text with the payload in the `$type` representation; integers are written exactly. */
export function analysisJson(analysis: CookieAnalysis): string {
  const fields: [string, string][] = [['format', jsonString(analysis.format, false)]];
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
    } else {
      add('payload', 'null');
      add('timestamp', 'null');
      add('compressed', 'false');
      add('session_id', str(v.decoded.sid));
      add('session_id_kind', str(v.decoded.sidKind));
      add('signed', String(v.decoded.signature !== null));
    }
    add('reason', v.reason ? JSON.stringify(v.reason) : 'null');
    add('notes', JSON.stringify(v.notes));
  }
  add('detection', JSON.stringify(analysis.detection));
  return `{${fields.map(([k, text]) => `${JSON.stringify(k)}:${text}`).join(',')}}`;
}

/** Python-style repr, broken over lines when it does not fit. */
export function prettyRepr(value: PyValue, indent = '', width = 88): string {
  const flat = pyRepr(value);
  if (flat.length + indent.length <= width) return flat;
  const inner = indent + '  ';
  switch (value.type) {
    case 'dict':
      return `{\n${[...value.entries].map(([k, v]) => `${inner}${reprStr(k)}: ${prettyRepr(v, inner, width)}`).join(',\n')}\n${indent}}`;
    case 'list':
      return `[\n${value.items.map((v) => inner + prettyRepr(v, inner, width)).join(',\n')}\n${indent}]`;
    case 'tuple':
      return `(\n${value.items.map((v) => inner + prettyRepr(v, inner, width)).join(',\n')}${value.items.length === 1 ? ',' : ''}\n${indent})`;
    default:
      return flat;
  }
}

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
}

export function makeStyle(color: boolean): Style {
  const wrap = (open: string) => (s: string) => (color ? `\x1b[${open}m${s}\x1b[0m` : s);
  return { bold: wrap('1'), dim: wrap('2'), good: wrap('32'), bad: wrap('31'), warn: wrap('33') };
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
};

export function analysisText(analysis: CookieAnalysis, style: Style, secretCount: number): string {
  const lines: string[] = [];
  const row = (label: string, text: string) => lines.push(`${style.bold(label.padEnd(10))} ${text}`);
  if (analysis.format === 'unknown') {
    row('Format', 'unknown');
    row('Verdict', style.bad(VERDICT_TEXT.malformed));
    row('Why', analysis.detection.reasons.join('; '));
    return lines.join('\n');
  }
  const v = analysis.verification;
  if (v.format === 'flask') {
    const d = v.decoded;
    row('Format', `Flask signed cookie${d.compressed ? ' (zlib-compressed)' : ''}`);
  } else {
    const d = v.decoded;
    row('Format', `Flask-Session id, ${d.signature !== null ? 'signed' : 'unsigned'}`);
    row('Session id', `${d.sid} ${style.dim(`(${d.issuedBy})`)}`);
  }
  const signature =
    v.signature === 'not_checked'
      ? style.dim('not checked')
      : v.signature === 'invalid'
        ? style.bad(secretCount > 1 ? `invalid for all ${secretCount} keys` : 'invalid')
        : style.good(`valid${secretCount > 1 ? ` (key ${v.matchedSecretIndex! + 1} of ${secretCount})` : ''}`) +
          (v.signature === 'valid_noncanonical' ? style.warn(' — only under Python\'s lenient base64 (non-canonical encoding)') : '');
  row('Signature', signature);
  const verdictStyle = v.verdict === 'valid' ? style.good : v.verdict === 'unverified' ? style.dim : style.bad;
  row('Verdict', verdictStyle(VERDICT_TEXT[v.verdict]));
  if (v.reason && v.verdict !== 'unverified' && v.verdict !== 'valid') row('Why', `${v.reason.message} ${style.dim(`[${v.reason.code}]`)}`);
  if (v.format === 'flask') {
    const d = v.decoded;
    if (d.timestamp?.ok) {
      const { seconds, legacySeconds } = d.timestamp.value;
      row('Signed at', `${utc(seconds)} ${style.dim(`(${seconds})`)}${v.ageSeconds !== null ? `, age ${formatDuration(v.ageSeconds)}` : ''}`);
      if (legacySeconds !== null) row('Legacy', `${utc(legacySeconds)} if signed by itsdangerous 0.x (epoch ${LEGACY_EPOCH})`);
    } else if (d.timestamp && !d.timestamp.ok) {
      row('Signed at', style.bad(d.timestamp.error.message));
    }
    if (d.payload?.ok) {
      lines.push(style.bold('Payload'));
      lines.push(prettyRepr(d.payload.value.value, '  ').replace(/^/, '  '));
    } else if (d.payload) {
      row('Payload', style.bad(`${d.payload.error.message} [${d.payload.error.code}]`));
    }
  }
  for (const note of v.notes) row('Note', style.warn(note));
  return lines.join('\n');
}
