import {
  formatTitle,
  formatDuration,
  formatPath,
  headerValues,
  notationOf,
  payloadOf,
  type CompanionReport,
  type CookieState,
  type Diagnostic,
  type HttpTimelineEntry,
  type JarTimelineEntry,
  type Notation,
  type PayloadChange,
  type PyValue,
  type TimelineEntry,
} from '../../../core';
import { COMPANION_HINT, serverFacts } from '../state/server-session';
import {
  EVENT_EXPLANATIONS,
  EVENT_LABELS,
  SESSION_ID_LABELS,
  changesTitle,
  explanationOf,
  payloadLines,
  shortRepr,
  verdictLabel,
} from './model';

function PayloadView({ value, notation = 'python' }: { value: PyValue; notation?: Notation }) {
  return (
    <div className="tl-payload" aria-label="Decoded payload">
      {payloadLines(value, notation).map((line, i) => (
        <div key={i} style={{ paddingLeft: `${line.depth * 12}px` }}>
          {line.label && <span className="tl-key">{line.label}</span>}
          <span>{line.text}</span>
        </div>
      ))}
    </div>
  );
}

function StateView({ state }: { state: CookieState }) {
  const verdict = verdictLabel(state);
  const payload = payloadOf(state);
  const { analysis } = state;
  return (
    <>
      <div className="tl-state-meta">
        <span className="tl-badge">{formatTitle(state.analysis)}</span> <span className={`tl-verdict tone-${verdict.tone}`}>{verdict.text}</span>
        {state.ageSeconds !== null && <span className="muted"> · signed {state.ageSeconds >= 0 ? `${formatDuration(state.ageSeconds)} before` : `${formatDuration(-state.ageSeconds)} after`} this request</span>}
      </div>
      {payload && <PayloadView value={payload} notation={notationOf(analysis)} />}
      {analysis.format === 'flask' && !payload && <p className="muted">The payload does not decode: {analysis.verification.decoded.payload?.ok === false ? analysis.verification.decoded.payload.error.message : 'no payload segment'}.</p>}
      {analysis.format === 'jwt' && !payload && <p className="muted">The token does not decode: {analysis.verification.decoded.error?.message ?? 'no claims set'}.</p>}
      {analysis.format === 'django' && !payload && <p className="muted">The payload does not decode: {analysis.verification.decoded.payload?.ok === false ? analysis.verification.decoded.payload.error.message : 'not value:timestamp:signature'}.</p>}
      {analysis.format === 'flask-session' && (
        <p className="tl-mono">
          id {analysis.verification.decoded.sid} <span className="muted">({analysis.verification.decoded.issuedBy}); the data is in the server&apos;s store</span>
        </p>
      )}
    </>
  );
}

/** The companion's account of the request: the server-side session as opened and as saved. */
function ServerSide({ report }: { report: CompanionReport }) {
  return (
    <section className="tl-server" aria-label="Server-side session">
      <h3>On the server (Session Lens companion)</h3>
      <dl className="tl-headers">
        {serverFacts(report).map(({ label, value }) => [<dt key={`${label}-dt`}>{label}</dt>, <dd key={`${label}-dd`}>{value}</dd>])}
      </dl>
      <div className="tl-before-after">
        <div>
          <h4>As opened</h4>
          {report.opened ? <PayloadView value={report.opened} /> : <p className="muted">{report.nullSession ? 'A null session (no secret key?).' : 'Not reported (truncated).'}</p>}
        </div>
        <div>
          <h4>As saved</h4>
          {report.saved ? <PayloadView value={report.saved} /> : <p className="muted">Not reported (truncated).</p>}
        </div>
      </div>
      {report.truncated && <p className="muted">The companion truncated its report: {report.truncatedFields.join(', ') || 'some fields'} left out.</p>}
    </section>
  );
}

function BeforeAfter({ entry }: { entry: HttpTimelineEntry }) {
  const { sent, set } = entry;
  const name = entry.cookieName ?? 'session';
  return (
    <section className="tl-before-after">
      <div>
        <h3>Before: the request sent</h3>
        {sent ? <StateView state={sent} /> : <p className="muted">No {name} cookie.</p>}
        {entry.sentValues.length > 1 && <p className="muted">{entry.sentValues.length} cookies named {name} were sent; Flask reads the first.</p>}
      </div>
      <div>
        <h3>After: the response</h3>
        {!set && <p className="muted">{sent ? `No Set-Cookie for ${name}: the browser keeps the cookie it sent${entry.event === 'rejected' ? ', which the server ignored' : ''}.` : 'No Set-Cookie for the session.'}</p>}
        {set?.deletion && <p>Deleted: <span className="tl-mono">Set-Cookie</span> removes {name}.</p>}
        {set?.state && <StateView state={set.state} />}
        {set && !set.deletion && (
          <p className="muted">
            {set.cookie.expires !== undefined || set.cookie.maxAge !== undefined ? 'Persistent cookie' : 'Browser-session cookie'}
            {set.cookie.httpOnly ? ' · HttpOnly' : ''}
            {set.cookie.secure ? ' · Secure' : ''}
            {set.cookie.sameSite ? ` · SameSite=${set.cookie.sameSite}` : ''}
          </p>
        )}
      </div>
    </section>
  );
}

const CHANGE_SYMBOL = { added: '+', removed: '−', changed: '~' } as const;

function Changes({ changes, title, notation }: { changes: readonly PayloadChange[]; title: string; notation: Notation }) {
  return (
    <section>
      <h3>{title}</h3>
      <ul className="tl-changes" aria-label="Payload changes">
        {changes.map((change, i) => (
          <li key={i} className={`change-${change.kind}`}>
            <span className="tl-change-kind" aria-hidden="true">
              {CHANGE_SYMBOL[change.kind]}
            </span>{' '}
            <span className="tl-change-text">
              {change.kind} <span className="tl-mono">{formatPath(change.path)}</span>
              {change.kind === 'added' && <>: <span className="tl-mono">{shortRepr(change.after, notation)}</span></>}
              {change.kind === 'removed' && <> (was <span className="tl-mono">{shortRepr(change.before, notation)}</span>)</>}
              {change.kind === 'changed' && (
                <>
                  : <span className="tl-mono">{shortRepr(change.before, notation)}</span> → <span className="tl-mono">{shortRepr(change.after, notation)}</span>
                </>
              )}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Diagnostics({ diagnostics }: { diagnostics: readonly Diagnostic[] }) {
  if (diagnostics.length === 0) return null;
  return (
    <section>
      <h3>Diagnostics</h3>
      <ul className="tl-diagnostics" aria-label="Diagnostics">
        {diagnostics.map((d) => (
          <li key={d.code} className={`sev-${d.severity}`} data-code={d.code}>
            <div className="tl-diag-title">
              <span className="tl-diag-severity">{d.severity}</span> {d.title}
            </div>
            <div>{d.detail}</div>
            <div className="tl-fix">
              <strong>Fix:</strong> {d.fix}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Headers({ entry }: { entry: HttpTimelineEntry }) {
  const request = headerValues(entry.exchange.requestHeaders, 'cookie');
  const rows: [string, string[]][] = [
    ['Set-Cookie', headerValues(entry.exchange.responseHeaders, 'set-cookie')],
    ['Vary', headerValues(entry.exchange.responseHeaders, 'vary')],
    ['Cache-Control', headerValues(entry.exchange.responseHeaders, 'cache-control')],
  ];
  return (
    <section>
      <h3>Headers</h3>
      <dl className="tl-headers" aria-label="Raw headers">
        <dt>Request Cookie</dt>
        {request.length ? request.map((v, i) => <dd key={i}>{v}</dd>) : <dd className="muted">(none)</dd>}
        {rows.map(([name, values]) => [
          <dt key={`${name}-dt`}>Response {name}</dt>,
          ...(values.length ? values.map((v, i) => <dd key={`${name}-${i}`}>{v}</dd>) : [<dd key={`${name}-none`} className="muted">(none)</dd>]),
        ])}
      </dl>
    </section>
  );
}

function HttpDetails({ entry }: { entry: HttpTimelineEntry }) {
  return (
    <>
      <header className="tl-details-head">
        <span className={`tl-badge ev-${entry.event}`}>{EVENT_LABELS[entry.event]}</span>
        {entry.sessionId && <span className="tl-badge">{SESSION_ID_LABELS[entry.sessionId]}</span>}
        <span className="tl-mono tl-request-line">
          {entry.method} {entry.url} → {entry.status || '(failed)'}
          {entry.redirectTo ? ` → ${entry.redirectTo}` : ''}
        </span>
      </header>
      <p className="tl-explanation">{explanationOf(entry)}</p>
      {entry.cookieName !== null && <BeforeAfter entry={entry} />}
      {entry.server?.ok && <ServerSide report={entry.server.report} />}
      {entry.server === null && isServerSideId(entry) && <p className="muted tl-companion-hint">{COMPANION_HINT}</p>}
      {entry.changes.length > 0 && <Changes changes={entry.changes} title={changesTitle(entry)} notation={entry.set?.state ? notationOf(entry.set.state.analysis) : 'python'} />}
      <Diagnostics diagnostics={entry.diagnostics} />
      <Headers entry={entry} />
    </>
  );
}

function isServerSideId(entry: HttpTimelineEntry): boolean {
  return (entry.set?.state ?? entry.sent)?.analysis.format === 'flask-session';
}

function JarDetails({ entry }: { entry: JarTimelineEntry }) {
  const { change } = entry;
  return (
    <>
      <header className="tl-details-head">
        <span className={`tl-badge ev-${entry.event}`}>{EVENT_LABELS[entry.event]}</span>
        <span className="tl-mono tl-request-line">
          cookie jar: {entry.cookieName} on {change.domain}
        </span>
      </header>
      <p className="tl-explanation">{EVENT_EXPLANATIONS[entry.event]}</p>
      <dl className="tl-headers">
        <dt>Cause (chrome.cookies)</dt>
        <dd>{change.cause}</dd>
        <dt>{change.removed ? 'Removed value' : 'New value'}</dt>
        <dd>{change.value || '(empty)'}</dd>
      </dl>
      <Diagnostics diagnostics={entry.diagnostics} />
    </>
  );
}

/** What happened to the session at one timeline entry: before/after, diff, diagnostics, raw headers. */
export function TimelineDetails({ entry, onClose }: { entry: TimelineEntry; onClose(): void }) {
  return (
    <aside className="tl-details" aria-label="Timeline entry details" data-seq={entry.seq} data-kind={entry.kind}>
      <button type="button" className="tl-close icon" aria-label="Close details" title="Close (Escape)" onClick={onClose}>
        ×
      </button>
      {entry.kind === 'http' ? <HttpDetails entry={entry} /> : <JarDetails entry={entry} />}
    </aside>
  );
}
