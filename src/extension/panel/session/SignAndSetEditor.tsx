import { useMemo, useState, type ReactNode } from 'react';
import {
  COOKIE_SIZE_LIMIT,
  formatById,
  newSessionId,
  type CookieAnalysis,
  type FlaskDecoded,
  type FlaskSessionDecoded,
  type FrameworkTerms,
  type PyValue,
  type SessionCandidate,
} from '../../../core';
import {
  editablePayload,
  forgeExpressSessionId,
  forgeFlaskCookie,
  forgeFlaskSessionId,
  forgeJsonSession,
  type ForgeFailure,
  type ForgedCookie,
  type JsonSessionFormat,
  type TimestampChoice,
} from '../state/cookie-editor';
import { usePanelState, usePanelStore } from '../state/use-panel-state';

function keyLabel(index: number, terms: FrameworkTerms | null): string {
  if (!terms || terms.secretSetting === 'SECRET_KEY') return index === 0 ? 'Key 1 (SECRET_KEY)' : `Key ${index + 1} (fallback)`;
  return `Key ${index + 1}`;
}

/** The chosen key; when it was removed since, the first key, else `none` (-1: unsigned, which always stays). */
function keptKeyIndex(index: number, keys: number, none: number): number {
  return index < keys ? index : keys > 0 ? 0 : none;
}

/** The closed editor: one button that opens it. */
function OpenButton({ hint, onOpen }: { hint: string; onOpen: () => void }) {
  return (
    <p className="forge-open">
      <button type="button" onClick={onOpen}>
        Edit &amp; sign…
      </button>{' '}
      <span className="muted">{hint} (nothing is written until you click Set cookie).</span>
    </p>
  );
}

/** The open editor's frame: unmistakably a forging tool. */
function ForgeFrame({ cookieName, onClose, children }: { cookieName: string; onClose: () => void; children: ReactNode }) {
  return (
    <section className="forge" aria-labelledby="forge-heading">
      <div className="section-toolbar">
        <h3 id="forge-heading">Edit &amp; sign: this forges a session</h3>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="forge-warning">
        The cookie below replaces {cookieName} in this browser on Set cookie, and the app will trust it. Use it on your own development apps only.
      </p>
      {children}
    </section>
  );
}

/** The pasted key that signs; with `unsigned`, also "do not sign". A value of -1 means unsigned. */
function KeySelect({ value, onChange, unsigned, terms = null }: { value: number; onChange: (index: number) => void; unsigned?: boolean; terms?: FrameworkTerms | null }) {
  const { sessionSettings } = usePanelState();
  const none = sessionSettings.secrets.length === 0;
  return (
    <label>
      Sign with{' '}
      <select aria-label="Key that signs" value={value} onChange={(e) => onChange(Number(e.target.value))} disabled={none && !unsigned}>
        {unsigned && <option value={-1}>do not sign (SESSION_USE_SIGNER off)</option>}
        {none && !unsigned && <option value={0}>no key pasted</option>}
        {sessionSettings.secrets.map((_, i) => (
          <option key={i} value={i}>
            {keyLabel(i, terms)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Cookies to write, by name: the session cookie, and its companion where it has one (cookie-session's `.sig`). */
type CookieValues = [name: string, value: string][];

/** The id a session-id editor sends (Flask-Session, express-session). */
function SessionIdField({ value, onChange }: { value: string; onChange: (sid: string) => void }) {
  return (
    <label className="forge-field">
      Session id
      <input type="text" aria-label="Session id to send" spellCheck={false} value={value} onChange={(e) => onChange(e.target.value)} />
    </label>
  );
}

/** Writes to the session cookie (and its companion), remembering the values before the first write for Undo (kept while the editor is closed). */
function useCookieWriter(cookieName: string) {
  const store = usePanelStore();
  const [previous, setPrevious] = useState<CookieValues | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const write = async (values: CookieValues, after: (old: CookieValues) => void) => {
    setBusy(true);
    const old: CookieValues = [];
    for (const [name, value] of values) {
      const before = await store.writeSessionCookie(name, value);
      if (!before) break;
      old.push([name, before.value]);
    }
    setBusy(false);
    if (old.length === values.length) after(old);
  };
  return {
    busy,
    status,
    canUndo: previous !== null,
    set: (forgedCookie: ForgedCookie) =>
      void write([[cookieName, forgedCookie.value], ...(forgedCookie.companion ? [[forgedCookie.companion.name, forgedCookie.companion.value] as [string, string]] : [])], (old) => {
        setPrevious((p) => p ?? old);
        setStatus('Set. The next request sends this cookie: the Timeline shows what the server does with it.');
      }),
    undo: () =>
      previous !== null &&
      void write(previous, () => {
        setPrevious(null);
        setStatus('Restored the cookie as it was before the first Set cookie.');
      }),
  };
}

type CookieWriter = ReturnType<typeof useCookieWriter>;

/** The forged cookie and its size, or why there is none; then Set cookie and Undo. */
function ForgeResultView({ result, writer }: { result: ForgedCookie | ForgeFailure; writer: CookieWriter }) {
  const { hostAccess } = usePanelState();
  const canWrite = hostAccess === 'granted' && result.ok && result.fits && !writer.busy;
  return (
    <>
      {!result.ok && (
        <p className="tone-bad" id="forge-error" role="alert">
          {result.error}
        </p>
      )}
      {result.ok && (
        <div className="forge-preview">
          <span className="label">New cookie</span>
          <pre id="forge-value">{result.value}</pre>
          {result.companion && (
            <>
              <span className="label">and {result.companion.name}</span>
              <pre id="forge-companion">{result.companion.value}</pre>
            </>
          )}
          <span className={result.fits ? 'muted' : 'tone-bad'} id="forge-size">
            {result.bytes} of {COOKIE_SIZE_LIMIT} bytes{result.fits ? '' : ': too large, browsers drop it'}
          </span>
        </div>
      )}
      <div className="forge-actions">
        <button
          type="button"
          className="danger"
          disabled={!canWrite}
          onClick={() => result.ok && writer.set(result)}
        >
          Set cookie
        </button>
        <button
          type="button"
          disabled={!writer.canUndo || writer.busy}
          onClick={writer.undo}
        >
          Undo
        </button>
        {hostAccess !== 'granted' && <span className="muted">Setting a cookie needs “Allow reading cookies” for this site.</span>}
        <span className="copied" aria-live="polite" id="forge-status">
          {writer.status}
        </span>
      </div>
    </>
  );
}

/**
 * "Edit & sign" for a Flask cookie: forges a new session cookie from an edited payload and a
 * pasted key, and writes it to the browser only when "Set cookie" is clicked (Undo writes the
 * previous value back). Verifying never signs or writes: this and `SessionIdEditor` are the only
 * places that do.
 */
export function SignAndSetEditor({ candidate, decoded, payload }: { candidate: SessionCandidate; decoded: FlaskDecoded; payload: PyValue }) {
  const { sessionSettings, nowMs } = usePanelState();
  const writer = useCookieWriter(candidate.name);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [chosenKey, setSecretIndex] = useState(0);
  const secretIndex = keptKeyIndex(chosenKey, sessionSettings.secrets.length, 0);
  const [timestamp, setTimestamp] = useState<TimestampChoice>('keep');
  const result = useMemo(
    () => (open ? forgeFlaskCookie({ cookieName: candidate.name, payloadText: text, secretIndex, timestamp }, sessionSettings, decoded, nowMs) : null),
    [open, candidate.name, text, secretIndex, timestamp, sessionSettings, decoded, nowMs],
  );
  if (!open || !result) {
    return (
      <OpenButton
        hint="Forge a new session cookie with a pasted key"
        onOpen={() => {
          setText(editablePayload(payload));
          setOpen(true);
        }}
      />
    );
  }
  return (
    <ForgeFrame cookieName={candidate.name} onClose={() => setOpen(false)}>
      <label className="forge-field">
        Payload ($type JSON)
        <textarea aria-label="Payload to sign" spellCheck={false} rows={8} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="forge-options">
        <KeySelect value={secretIndex} onChange={setSecretIndex} />
        <fieldset>
          <legend>Timestamp</legend>
          <label>
            <input type="radio" name="forge-timestamp" checked={timestamp === 'keep'} onChange={() => setTimestamp('keep')} /> keep the cookie&apos;s
          </label>
          <label>
            <input type="radio" name="forge-timestamp" checked={timestamp === 'now'} onChange={() => setTimestamp('now')} /> now
          </label>
        </fieldset>
      </div>
      <ForgeResultView result={result} writer={writer} />
    </ForgeFrame>
  );
}

function randomBytes(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(32));
}

/**
 * "Edit & sign" for a Flask-Session cookie: send another id (another session's, to see whose data
 * the server serves; or a fresh one of your choosing, to test fixation), signed with a pasted key
 * as SESSION_USE_SIGNER does, or unsigned.
 */
export function SessionIdEditor({ candidate, decoded }: { candidate: SessionCandidate; decoded: FlaskSessionDecoded }) {
  const { sessionSettings } = usePanelState();
  const writer = useCookieWriter(candidate.name);
  const [open, setOpen] = useState(false);
  const [sid, setSid] = useState('');
  const [chosenKey, setSignWith] = useState(-1);
  const signWith = keptKeyIndex(chosenKey, sessionSettings.secrets.length, -1);
  const result = useMemo(
    () => (open ? forgeFlaskSessionId({ cookieName: candidate.name, sid, signWith: signWith < 0 ? null : signWith }, sessionSettings) : null),
    [open, candidate.name, sid, signWith, sessionSettings],
  );
  if (!open || !result) {
    return (
      <OpenButton
        hint="Send another session id, signed with a pasted key or not"
        onOpen={() => {
          setSid(decoded.sid);
          setSignWith(decoded.signature !== null && sessionSettings.secrets.length > 0 ? 0 : -1);
          setOpen(true);
        }}
      />
    );
  }
  return (
    <ForgeFrame cookieName={candidate.name} onClose={() => setOpen(false)}>
      <div className="forge-options">
        <SessionIdField value={sid} onChange={setSid} />
        <button type="button" onClick={() => setSid(newSessionId(decoded.sidKind, randomBytes()))}>
          New random id
        </button>
        <KeySelect value={signWith} onChange={setSignWith} unsigned />
      </div>
      <ForgeResultView result={result} writer={writer} />
    </ForgeFrame>
  );
}

/**
 * "Edit & sign" for a session of a JSON format (Django signed_cookies, JWT, cookie-session with its
 * .sig, cookie-parser, Rails): the session as JSON, re-signed as the framework signs it with a
 * pasted key, written only on Set cookie.
 */
export function JsonSessionEditor({ candidate, analysis, session }: { candidate: SessionCandidate; analysis: Extract<CookieAnalysis, { format: JsonSessionFormat }>; session: PyValue }) {
  const { sessionSettings, nowMs } = usePanelState();
  const writer = useCookieWriter(candidate.name);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [chosenKey, setSecretIndex] = useState(0);
  // A Rails IV is drawn once per opening, so that the preview stays put while the user types.
  const [iv, setIv] = useState(() => new Uint8Array(12));
  const secretIndex = keptKeyIndex(chosenKey, sessionSettings.secrets.length, 0);
  const terms = formatById(analysis.format).terms;
  const result = useMemo(
    () => (open ? forgeJsonSession(analysis, { cookieName: candidate.name, payloadText: text, secretIndex, iv }, sessionSettings, nowMs) : null),
    [open, analysis, candidate.name, text, secretIndex, iv, sessionSettings, nowMs],
  );
  if (!open || !result) {
    return (
      <OpenButton
        hint={`Re-sign the session as ${terms.framework} does, with a pasted key`}
        onOpen={() => {
          setText(editablePayload(session));
          setIv(crypto.getRandomValues(new Uint8Array(12)));
          setOpen(true);
        }}
      />
    );
  }
  return (
    <ForgeFrame cookieName={candidate.name} onClose={() => setOpen(false)}>
      <label className="forge-field">
        Session (JSON)
        <textarea aria-label="Payload to sign" spellCheck={false} rows={8} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="forge-options">
        <KeySelect value={secretIndex} onChange={setSecretIndex} terms={terms} />
      </div>
      <ForgeResultView result={result} writer={writer} />
    </ForgeFrame>
  );
}

/** "Edit & sign" for an express-session cookie: send another session id, signed with a pasted key. */
export function ExpressSessionIdEditor({ candidate, sid }: { candidate: SessionCandidate; sid: string }) {
  const { sessionSettings } = usePanelState();
  const writer = useCookieWriter(candidate.name);
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [chosenKey, setSecretIndex] = useState(0);
  const secretIndex = keptKeyIndex(chosenKey, sessionSettings.secrets.length, 0);
  const result = useMemo(
    () => (open ? forgeExpressSessionId({ cookieName: candidate.name, sid: text, secretIndex }, sessionSettings) : null),
    [open, candidate.name, text, secretIndex, sessionSettings],
  );
  if (!open || !result) {
    return (
      <OpenButton
        hint="Send another session id, signed with a pasted key"
        onOpen={() => {
          setText(sid);
          setOpen(true);
        }}
      />
    );
  }
  return (
    <ForgeFrame cookieName={candidate.name} onClose={() => setOpen(false)}>
      <div className="forge-options">
        <SessionIdField value={text} onChange={setText} />
        <KeySelect value={secretIndex} onChange={setSecretIndex} terms={formatById('express-session').terms} />
      </div>
      <ForgeResultView result={result} writer={writer} />
    </ForgeFrame>
  );
}
