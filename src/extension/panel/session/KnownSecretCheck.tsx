import { useState } from 'react';
import { describeSecretAudit } from '../state/secret-audit-view';
import { usePanelState, usePanelStore, useSecretAudit } from '../state/use-panel-state';

const bytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`);

/**
 * "Check for a known secret": the built-in list, then an optional wordlist file, tried against the
 * shown cookie's signature in the panel's workers. Renders the store's `secretAuditState()`.
 */
export function KnownSecretCheck() {
  const store = usePanelStore();
  const { knownSecret, selected } = usePanelState();
  const audit = useSecretAudit();
  // A new key empties the file input (after "Remove").
  const [fileInput, setFileInput] = useState(0);
  const running = audit.status === 'running';
  const view = describeSecretAudit(audit, selected?.name ?? null);
  const prepare = () => {
    if (knownSecret.target) store.prepareSecretCheck();
  };

  return (
    <section className="known-secret" id="known-secret" aria-labelledby="known-secret-heading" onPointerEnter={prepare} onFocus={prepare}>
      <h2 id="known-secret-heading">Known secrets</h2>
      <p className="hint">
        Tries {audit.builtInCount.toLocaleString('en-US')} published placeholder keys, then your wordlist, against this cookie's signature. On this device
        only: nothing is sent or stored.
      </p>
      <div className="field">
        <label htmlFor="wordlist-file">Wordlist file (optional)</label>
        <div className="inline">
          <input
            key={fileInput}
            id="wordlist-file"
            type="file"
            accept=".txt,.lst,.list,.dic,text/plain"
            disabled={running}
            aria-describedby="wordlist-hint"
            onChange={(e) => store.chooseWordlist(e.target.files?.[0] ?? null)}
          />
          {audit.wordlist && !running && (
            <button
              type="button"
              className="icon"
              aria-label="Remove the wordlist file"
              title="Remove"
              onClick={() => {
                store.chooseWordlist(null);
                setFileInput((n) => n + 1);
              }}
            >
              ×
            </button>
          )}
        </div>
        <span className="hint" id="wordlist-hint">
          {audit.wordlist ? `${audit.wordlist.name}, ${bytes(audit.wordlist.size)}. ` : ''}One secret per line, read as flask-unsign reads it.
        </span>
      </div>
      <div className="row">
        <button
          type="button"
          id="known-secret-check"
          className="primary"
          disabled={!knownSecret.target}
          aria-disabled={running || undefined}
          aria-describedby={knownSecret.unavailable ? 'known-secret-unavailable' : undefined}
          onClick={() => {
            if (!running) store.checkForKnownSecret();
          }}
        >
          Check for a known secret
        </button>
        <button type="button" id="known-secret-cancel" aria-disabled={!running} onClick={() => running && store.cancelSecretCheck()}>
          Cancel
        </button>
      </div>
      {knownSecret.unavailable && (
        <p className="hint" id="known-secret-unavailable">
          {knownSecret.unavailable}
        </p>
      )}
      {audit.status !== 'idle' && audit.status !== 'failed' && (
        <div className="audit-progress">
          <progress
            id="known-secret-progress"
            aria-label="Candidates tried"
            aria-valuetext={view.progress}
            max={audit.total ?? undefined}
            value={audit.total === null && running ? undefined : audit.tried}
          />
          <span className="hint" id="known-secret-figures">
            {view.progress}
            {audit.inline ? ' · in the panel (no workers)' : audit.threads > 0 ? ` · ${audit.threads} worker${audit.threads === 1 ? '' : 's'}` : ''}
            {audit.kernel ? ` · ${audit.kernel === 'simd' ? 'WebAssembly SIMD' : 'plain JavaScript'}` : ''}
          </span>
        </div>
      )}
      <div className="sr-only" aria-live="polite" aria-atomic="true" id="known-secret-announcement">
        {view.announcement}
      </div>
      {view.headline && !running && (
        <div className={`audit-result tone-${view.tone}`} id="known-secret-result">
          <strong className="headline">{view.headline}</strong>
          {view.details.length > 0 && (
            <ul>
              {view.details.map((d) => (
                <li key={d}>{d}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}
