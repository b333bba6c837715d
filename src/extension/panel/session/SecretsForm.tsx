import { useState } from 'react';
import { DIGESTS, FLASK_DEFAULTS, KEY_DERIVATIONS, formatDuration, isDigestName, isKeyDerivation } from '../../../core';
import type { SecretEncoding, SecretEntry } from '../../platform/settings-store';
import { usePanelState, usePanelStore } from '../state/use-panel-state';

function secretLabel(index: number): string {
  return index === 0 ? 'Secret key' : `Fallback key ${index}`;
}

/**
 * A text field that keeps what is typed while it does not parse: `commit` applies the text and
 * says whether it was accepted.
 */
function DraftField(props: { id: string; label: string; value: string; commit: (text: string) => boolean; hint?: string; disabled: boolean; inputMode?: 'numeric' }) {
  const [draft, setDraft] = useState<{ text: string; ok: boolean } | null>(null);
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="text"
        inputMode={props.inputMode}
        spellCheck={false}
        autoComplete="off"
        value={draft?.text ?? props.value}
        disabled={props.disabled}
        aria-invalid={draft?.ok === false || undefined}
        onChange={(e) => setDraft({ text: e.target.value, ok: props.commit(e.target.value) })}
        onBlur={() => setDraft(null)}
      />
      {props.hint && <span className="hint">{props.hint}</span>}
    </div>
  );
}

/** SECRET_KEY and fallbacks, signer settings and lifetime, per origin; the verdict follows every keystroke. */
export function SecretsForm() {
  const store = usePanelStore();
  const { settings, settingsLoaded, inspectedOrigin } = usePanelState();
  const [showKeys, setShowKeys] = useState(false);
  const disabled = !settingsLoaded && inspectedOrigin !== null;

  const setSecret = (index: number, patch: Partial<SecretEntry>) =>
    store.updateSettings({ secrets: settings.secrets.map((s, i) => (i === index ? { ...s, ...patch } : s)) });

  return (
    <section className="secrets" aria-labelledby="secrets-heading">
      <h2 id="secrets-heading">Secrets</h2>
      {settings.secrets.map((secret, index) => {
        const id = `secret-${index}`;
        const spaced = secret.encoding === 'text' && secret.value !== secret.value.trim();
        return (
          <div className="field secret" key={index}>
            <label htmlFor={id}>{secretLabel(index)}</label>
            <div className="inline">
              <input
                id={id}
                type={showKeys ? 'text' : 'password'}
                autoComplete="off"
                spellCheck={false}
                placeholder={index === 0 ? "paste the app's SECRET_KEY" : 'an old key from SECRET_KEY_FALLBACKS'}
                value={secret.value}
                disabled={disabled}
                aria-describedby={spaced ? `${id}-space` : undefined}
                onChange={(e) => setSecret(index, { value: e.target.value })}
              />
              <select
                aria-label={`${secretLabel(index)} encoding`}
                value={secret.encoding}
                disabled={disabled}
                onChange={(e) => setSecret(index, { encoding: e.target.value as SecretEncoding })}
              >
                <option value="text">text</option>
                <option value="hex">hex</option>
              </select>
              {index > 0 && (
                <button
                  type="button"
                  className="icon"
                  aria-label={`Remove ${secretLabel(index).toLowerCase()}`}
                  title="Remove"
                  disabled={disabled}
                  onClick={() => store.updateSettings({ secrets: settings.secrets.filter((_, i) => i !== index) })}
                >
                  ×
                </button>
              )}
            </div>
            {spaced && (
              <span className="hint warn" id={`${id}-space`}>
                starts or ends with whitespace
              </span>
            )}
          </div>
        );
      })}
      <div className="row">
        <button type="button" disabled={disabled} onClick={() => store.updateSettings({ secrets: [...settings.secrets, { value: '', encoding: 'text' }] })}>
          Add fallback key
        </button>
        <label className="check">
          <input type="checkbox" checked={showKeys} onChange={(e) => setShowKeys(e.target.checked)} /> Show keys
        </label>
      </div>

      <details className="advanced">
        <summary>Advanced</summary>
        <div className="field">
          <label htmlFor="salt">Salt</label>
          <input
            id="salt"
            type="text"
            spellCheck={false}
            autoComplete="off"
            placeholder={`default: ${FLASK_DEFAULTS.salt} / flask-session`}
            value={settings.salt}
            disabled={disabled}
            onChange={(e) => store.updateSettings({ salt: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="digest">Digest</label>
          <select id="digest" value={settings.digest} disabled={disabled} onChange={(e) => isDigestName(e.target.value) && store.updateSettings({ digest: e.target.value })}>
            {DIGESTS.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="key-derivation">Key derivation</label>
          <select
            id="key-derivation"
            value={settings.keyDerivation}
            disabled={disabled}
            onChange={(e) => isKeyDerivation(e.target.value) && store.updateSettings({ keyDerivation: e.target.value })}
          >
            {KEY_DERIVATIONS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
        <DraftField
          id="lifetime"
          label="Lifetime (seconds)"
          inputMode="numeric"
          value={String(settings.lifetimeSeconds)}
          hint={`PERMANENT_SESSION_LIFETIME = ${formatDuration(settings.lifetimeSeconds)}`}
          disabled={disabled}
          commit={(text) => {
            if (!/^\s*\d+\s*$/.test(text)) return false;
            store.updateSettings({ lifetimeSeconds: Number(text) });
            return true;
          }}
        />
        <DraftField
          id="cookie-names"
          label="Cookie name"
          value={settings.cookieNames.join(', ')}
          hint="SESSION_COOKIE_NAME; several separated by commas"
          disabled={disabled}
          commit={(text) => {
            store.updateSettings({ cookieNames: text.split(',').map((n) => n.trim()).filter(Boolean) });
            return true;
          }}
        />
      </details>

      <div className="row">
        <label className="check">
          <input type="checkbox" checked={settings.remember} disabled={disabled} onChange={(e) => store.updateSettings({ remember: e.target.checked })} /> Remember on this device
        </label>
        <button type="button" disabled={disabled} onClick={() => void store.forgetSettings()}>
          Forget
        </button>
      </div>
      <p className="hint privacy">
        Kept for this browser session only{settings.remember ? ', and on this device (extension storage)' : ''}. Never synced, logged or sent anywhere.
      </p>
    </section>
  );
}
