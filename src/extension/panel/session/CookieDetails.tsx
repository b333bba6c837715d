import { useMemo } from 'react';
import { formatTitle, type CookieAnalysis, type JwtDecoded, type RailsDecoded, type Result, type SessionCandidate } from '../../../core';
import { attributeFacts, rawSegments, relative, sessionFacts, type Fact } from '../state/cookie-facts';
import { siteExchanges } from '../state/derive';
import { COMPANION_HINT, latestServerSession, serverFacts } from '../state/server-session';
import { usePanelState } from '../state/use-panel-state';
import { describeVerdict } from '../state/verdict';
import { DecodedPayloadView, PayloadSection } from './PayloadTree';
import { ExpressSessionIdEditor, JsonSessionEditor, SessionIdEditor, SignAndSetEditor } from './SignAndSetEditor';
import { isJsonSessionFormat, jsonSessionOf, type JsonSessionFormat } from '../state/cookie-editor';

const MAX_RAW = 20_000;

function clip(text: string): string {
  return text.length > MAX_RAW ? `${text.slice(0, MAX_RAW)}… (${text.length - MAX_RAW} more characters)` : text;
}

function FactList({ facts, className }: { facts: readonly Fact[]; className?: string }) {
  return (
    <dl className={`facts ${className ?? ''}`}>
      {facts.map((f) => (
        <div key={f.label} className={f.tone ? `tone-${f.tone}` : undefined}>
          <dt>{f.label}</dt>
          <dd>{f.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Verdict({ analysis }: { analysis: CookieAnalysis }) {
  const { sessionSettings, nowMs } = usePanelState();
  const verdict = describeVerdict(analysis, sessionSettings, nowMs);
  return (
    <div role="status" id="verdict" className={`verdict tone-${verdict.tone}`}>
      <strong className="headline">{verdict.headline}</strong>
      {verdict.details.length > 0 && (
        <ul>
          {verdict.details.map((d) => (
            <li key={d}>{d}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/** The data behind a Flask-Session id, as the companion last reported it, or how to get it. */
function ServerSession({ sid }: { sid: string }) {
  const { exchanges, inspectedOrigin, nowMs } = usePanelState();
  const snapshot = useMemo(() => latestServerSession(siteExchanges(exchanges, inspectedOrigin), sid), [exchanges, inspectedOrigin, sid]);
  if (!snapshot) return <p className="muted" id="companion-hint">{COMPANION_HINT}</p>;
  const { report, exchange } = snapshot;
  const reportedBy: Fact = { label: 'Reported by', value: `${exchange.method} ${pathOf(exchange.url)}, ${relative(exchange.startedAt, nowMs)}` };
  return (
    <section aria-labelledby="server-session-facts-heading" className="server-session">
      <h3 id="server-session-facts-heading">On the server</h3>
      <FactList facts={[...serverFacts(report), reportedBy]} className="server-facts" />
      {report.saved ? (
        <DecodedPayloadView key={sid} root={report.saved} title="Server-side session" headingId="server-payload-heading" />
      ) : (
        <p className="muted">The companion left the session out of its report (truncated).</p>
      )}
    </section>
  );
}

/** A JWT's claims and header, or why the token cannot be read. */
function JwtSection({ decoded }: { decoded: JwtDecoded }) {
  return (
    <>
      {decoded.payload ? (
        <DecodedPayloadView root={decoded.payload} title="Claims" headingId="payload-heading" notation="json" />
      ) : (
        <section aria-labelledby="payload-heading">
          <h3 id="payload-heading">Claims</h3>
          <p className="tone-bad" id="payload-error">
            The token cannot be read: {decoded.error?.message ?? 'no claims set'} ({decoded.error?.code ?? 'ERR_PAYLOAD_INVALID'})
          </p>
        </section>
      )}
      {decoded.header && <DecodedPayloadView root={decoded.header} title="Header" headingId="jwt-header-heading" notation="json" />}
    </>
  );
}

/** A Rails cookie's message once it is readable (signed, or encrypted and opened with secret_key_base). */
function RailsMessageSection({ name, decoded }: { name: string; decoded: RailsDecoded }) {
  const title = name.endsWith('_session') ? 'Session' : 'Value';
  const { message } = decoded;
  if (!message) return <p className="muted" id="payload-hint">Encrypted: paste the app&apos;s secret_key_base to read it.</p>;
  if (message.ok && message.value.value === null) return <p className="muted">Marshal-serialized: Ruby objects, not decoded here (and never executed).</p>;
  return <PayloadSection key={name} payload={message.ok ? { ok: true, value: { value: message.value.value! } } : message} title={title} notation="json" />;
}

function isJsonAnalysis(analysis: CookieAnalysis): analysis is Extract<CookieAnalysis, { format: JsonSessionFormat }> {
  return isJsonSessionFormat(analysis.format);
}

function withValue<T>(result: Result<T>): Result<{ value: T }> {
  return result.ok ? { ok: true, value: { value: result.value } } : result;
}

/** Everything about the chosen cookie: verdict, payload, times, attributes, raw parts. */
export function CookieDetails({ candidate, analysis }: { candidate: SessionCandidate; analysis: CookieAnalysis }) {
  const { sessionSettings, nowMs } = usePanelState();
  const flask = analysis.format === 'flask' ? analysis.verification.decoded : null;
  return (
    <article className="cookie" aria-labelledby="cookie-name">
      <header className="cookie-header">
        <h2 id="cookie-name">{candidate.name}</h2>
        <span className={`badge format format-${analysis.format}`} id="format-badge">
          {formatTitle(analysis)}
        </span>
      </header>
      <Verdict analysis={analysis} />

      {analysis.format === 'flask' && <PayloadSection key={candidate.name} payload={flask!.payload} />}
      {analysis.format === 'jwt' && <JwtSection key={candidate.name} decoded={analysis.verification.decoded} />}
      {analysis.format === 'django' && <PayloadSection key={candidate.name} payload={analysis.verification.decoded.payload} />}
      {analysis.format === 'django' && analysis.verification.decoded.sessionKey !== null && (
        <p className="muted">The session data lives on the server (Django&apos;s database, cache or file session backend); the cookie carries only its key.</p>
      )}
      {analysis.format === 'cookie-session' && <PayloadSection key={candidate.name} payload={withValue(analysis.verification.decoded.payload)} title="Session" notation="json" />}
      {analysis.format === 'cookie-parser' && analysis.verification.decoded.value && (
        <DecodedPayloadView key={candidate.name} root={analysis.verification.decoded.value} title="Value" notation="json" />
      )}
      {analysis.format === 'rails' && <RailsMessageSection name={candidate.name} decoded={analysis.verification.decoded} />}
      {analysis.format === 'express-session' && (
        <p className="muted">The session data lives in the server&apos;s store (express-session&apos;s MemoryStore, connect-redis, …); the cookie carries only its id.</p>
      )}
      {flask?.payload?.ok && <SignAndSetEditor key={`editor-${candidate.name}`} candidate={candidate} decoded={flask} payload={flask.payload.value.value} />}
      {isJsonAnalysis(analysis) && jsonSessionOf(analysis) && (
        <JsonSessionEditor key={`editor-${candidate.name}`} candidate={candidate} analysis={analysis} session={jsonSessionOf(analysis)!} />
      )}
      {analysis.format === 'express-session' && analysis.verification.decoded.signed && (
        <ExpressSessionIdEditor key={`editor-${candidate.name}`} candidate={candidate} sid={analysis.verification.decoded.signed.value} />
      )}
      {analysis.format === 'flask-session' && (
        <>
          <p className="muted">The session data lives on the server (Flask-Session); the cookie carries only its id.</p>
          <ServerSession sid={analysis.verification.decoded.sid} />
          <SessionIdEditor key={`editor-${candidate.name}`} candidate={candidate} decoded={analysis.verification.decoded} />
        </>
      )}

      <section aria-labelledby="session-facts-heading">
        <h3 id="session-facts-heading">{analysis.format === 'flask-session' || analysis.format === 'express-session' || (analysis.format === 'django' && analysis.verification.decoded.sessionKey !== null) ? 'Session id' : analysis.format === 'jwt' ? 'Token' : 'Signature'}</h3>
        <FactList facts={sessionFacts(analysis, sessionSettings, nowMs)} className="session-facts" />
      </section>
      <section aria-labelledby="attributes-heading">
        <h3 id="attributes-heading">Cookie</h3>
        <FactList facts={attributeFacts(candidate, nowMs)} className="attributes" />
      </section>
      <details className="raw">
        <summary>Raw value</summary>
        <FactList facts={rawSegments(analysis, candidate.value, candidate.signatureCookie)} className="segments" />
        {flask?.payload?.ok && (
          <div className="raw-json">
            <span className="label">Payload JSON (as stored, tags included)</span>
            <pre>{clip(flask.payload.value.jsonText)}</pre>
          </div>
        )}
      </details>
    </article>
  );
}
