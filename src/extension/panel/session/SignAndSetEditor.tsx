import { useMemo, useState } from 'react';
import { COOKIE_SIZE_LIMIT, type FlaskDecoded, type PyValue, type SessionCandidate } from '../../../core';
import { editablePayload, forgeFlaskCookie, type TimestampChoice } from '../state/cookie-editor';
import { usePanelState, usePanelStore } from '../state/use-panel-state';

function keyLabel(index: number): string {
  return index === 0 ? 'Key 1 (SECRET_KEY)' : `Key ${index + 1} (fallback)`;
}

/**
 * "Edit & sign": forges a new Flask session cookie from an edited payload and a pasted key, and
 * writes it to the browser only when "Set cookie" is clicked (Undo writes the previous value back).
 * Verifying never signs or writes: this is the one place that does.
 */
export function SignAndSetEditor({ candidate, decoded, payload }: { candidate: SessionCandidate; decoded: FlaskDecoded; payload: PyValue }) {
  const store = usePanelStore();
  const { sessionSettings, hostAccess, nowMs } = usePanelState();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [secretIndex, setSecretIndex] = useState(0);
  const [timestamp, setTimestamp] = useState<TimestampChoice>('keep');
  const [previous, setPrevious] = useState<{ name: string; value: string } | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const result = useMemo(
    () => (open ? forgeFlaskCookie({ cookieName: candidate.name, payloadText: text, secretIndex, timestamp }, sessionSettings, decoded, nowMs) : null),
    [open, candidate.name, text, secretIndex, timestamp, sessionSettings, decoded, nowMs],
  );

  if (!open) {
    return (
      <p className="forge-open">
        <button
          type="button"
          onClick={() => {
            setText(editablePayload(payload));
            setOpen(true);
          }}
        >
          Edit &amp; sign…
        </button>{' '}
        <span className="muted">Forge a new session cookie with a pasted key (nothing is written until you click Set cookie).</span>
      </p>
    );
  }

  const write = async (value: string, after: (old: string) => void) => {
    setBusy(true);
    const old = await store.writeSessionCookie(candidate.name, value);
    setBusy(false);
    if (old) after(old.value);
  };
  const canWrite = hostAccess === 'granted' && result?.ok === true && result.fits && !busy;

  return (
    <section className="forge" aria-labelledby="forge-heading">
      <div className="section-toolbar">
        <h3 id="forge-heading">Edit &amp; sign: this forges a session</h3>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      <p className="forge-warning">
        The cookie below is signed with your key and, on Set cookie, replaces {candidate.name} in this browser. The app will trust it. Use it on your own development apps only.
      </p>
      <label className="forge-field">
        Payload ($type JSON)
        <textarea aria-label="Payload to sign" spellCheck={false} rows={8} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <div className="forge-options">
        <label>
          Sign with{' '}
          <select aria-label="Key that signs" value={secretIndex} onChange={(e) => setSecretIndex(Number(e.target.value))} disabled={sessionSettings.secrets.length === 0}>
            {sessionSettings.secrets.length === 0 && <option value={0}>no key pasted</option>}
            {sessionSettings.secrets.map((_, i) => (
              <option key={i} value={i}>
                {keyLabel(i)}
              </option>
            ))}
          </select>
        </label>
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
      {result && !result.ok && (
        <p className="tone-bad" id="forge-error" role="alert">
          {result.error}
        </p>
      )}
      {result?.ok && (
        <div className="forge-preview">
          <span className="label">New cookie</span>
          <pre id="forge-value">{result.value}</pre>
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
          onClick={() =>
            result?.ok &&
            void write(result.value, (old) => {
              setPrevious((p) => p ?? { name: candidate.name, value: old });
              setStatus('Set. The next request sends this cookie: the Timeline shows what the server does with it.');
            })
          }
        >
          Set cookie
        </button>
        <button
          type="button"
          disabled={!previous || busy}
          onClick={() =>
            previous &&
            void write(previous.value, () => {
              setPrevious(null);
              setStatus('Restored the cookie as it was before the first Set cookie.');
            })
          }
        >
          Undo
        </button>
        {hostAccess !== 'granted' && <span className="muted">Setting a cookie needs “Allow reading cookies” for this site.</span>}
        <span className="copied" aria-live="polite" id="forge-status">
          {status}
        </span>
      </div>
    </section>
  );
}
