import { formatById } from '../../../core';
import type { SecretAuditState } from './secret-audit';

/** "Check for a known secret" in the panel's words, from the audit's state. */
export interface SecretAuditView {
  tone: 'ok' | 'bad' | 'warn' | 'neutral';
  /** Empty while nothing has run. */
  headline: string;
  details: string[];
  /** "12,345 of 56,462 tried · 1.2 million/s" (also after the run). */
  progress: string;
  /**
   * For the live region: changes in steps of a tenth of the run while it lasts, so a screen
   * reader is not handed ten updates a second; the result once it is done.
   */
  announcement: string;
}

const count = (n: number) => n.toLocaleString('en-US');

export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond)) return '';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(perSecond >= 1e7 ? 0 : 1)} million/s`;
  return `${count(Math.round(perSecond / 100) * 100)}/s`;
}

export function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.max(1, Math.round(ms))} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function triedText(state: SecretAuditState): string {
  return state.total === null ? `${count(state.tried)} tried` : `${count(state.tried)} of ${count(state.total)} tried`;
}

function sources(state: SecretAuditState): string {
  const file = state.runWordlist;
  if (!file) return `the built-in list (${count(state.builtInCount)} published placeholder keys)`;
  const lines = state.total === null ? '' : ` (${count(state.total - state.builtInCount)} lines)`;
  return `the built-in list (${count(state.builtInCount)}) and ${file.name}${lines}`;
}

const ROTATE = "Anyone can sign session cookies for this app with it, and so log in as any user. Rotate it now: a new random SECRET_KEY (python -c 'import secrets; print(secrets.token_hex(32))'), kept out of the source code and out of version control.";
const FALLBACKS =
  'For a smooth rotation, list the old key in SECRET_KEY_FALLBACKS (Flask ≥ 3.1): cookies signed with it stay valid, so users stay logged in. But forged cookies stay valid too while it is listed: remove it as soon as the sessions have been re-signed, at once if the app may have been attacked.';
const FLASK_SESSION =
  'Flask-Session signs its session ids with it (SESSION_USE_SIGNER), and Flask and its extensions sign other data with it too (flashed messages, CSRF and reset tokens). Changing it makes existing signed ids invalid: users log in again.';

function rotateOther(setting: string): string {
  return `Anyone can sign session cookies for this app with it, and so log in as any user. Rotate it now: a new random ${setting} (openssl rand -hex 32), kept out of the source code and out of version control.`;
}

function smoothOther(fallback: string | null): string {
  if (fallback === null) return 'Sessions signed with the old secret stop verifying at once: users log in again.';
  return `For a smooth rotation, keep the old one in ${fallback}: cookies signed with it stay valid, so users stay logged in. But forged cookies stay valid too while it is listed: remove it as soon as the sessions have been re-signed.`;
}

export function describeSecretAudit(state: SecretAuditState, shownCookie: string | null): SecretAuditView {
  const rate = formatRate(state.rate);
  const progress = state.status === 'idle' ? '' : [triedText(state), rate, state.status === 'running' ? '' : formatElapsed(state.elapsedMs)].filter(Boolean).join(' · ');
  const other = state.cookieName !== null && state.cookieName !== shownCookie ? ` (cookie ${state.cookieName})` : '';
  switch (state.status) {
    case 'idle':
      return { tone: 'neutral', headline: '', details: [], progress, announcement: '' };
    case 'running': {
      const step = state.total ? Math.floor((state.tried / state.total) * 10) * 10 : null;
      return {
        tone: 'neutral',
        headline: `Checking for a known secret${other}…`,
        details: [],
        progress,
        announcement: step === null ? 'Checking for a known secret…' : `Checking for a known secret: ${step}% tried`,
      };
    }
    case 'found': {
      const hit = state.hit!;
      const where = hit.source === 'built-in' ? `entry ${count(hit.line)} of the built-in list of published placeholder keys` : `line ${count(hit.line)} of ${state.runWordlist?.name ?? 'your wordlist'}`;
      const flaskFamily = state.format === 'flask' || state.format === 'flask-session';
      const terms = state.format ? formatById(state.format).terms : null;
      const headline = `Known secret found${other}: the app's ${flaskFamily || !terms ? 'SECRET_KEY' : terms.secretSetting} is public`;
      const details = [
        `It is ${where}. It is now the Secret key above${hit.encoding === 'hex' ? ' (as hex: it is not valid UTF-8)' : ''}; tick Show keys to see it.`,
        flaskFamily || !terms ? ROTATE : rotateOther(terms.secretSetting),
        state.format === 'flask-session' ? FLASK_SESSION : flaskFamily || !terms ? FALLBACKS : smoothOther(terms.fallbackSetting),
      ];
      return { tone: 'bad', headline, details, progress, announcement: `${headline}. ${details[0]}` };
    }
    case 'not-found': {
      const headline = `No known secret${other}: ${count(state.tried)} candidates tried in ${formatElapsed(state.elapsedMs)}`;
      const details = [
        `Not in ${sources(state)}.`,
        state.runWordlist ? 'That rules out these lists only; a long random key is what keeps sessions safe.' : 'Choose a wordlist file to try more candidates.',
      ];
      return { tone: 'ok', headline, details, progress, announcement: `${headline}.` };
    }
    case 'cancelled': {
      const headline = `Cancelled after ${triedText(state).replace(/ tried$/, '')} candidates${other}`;
      return { tone: 'neutral', headline, details: [], progress, announcement: `${headline}.` };
    }
    case 'failed':
      return { tone: 'bad', headline: 'The check could not run', details: [state.error ?? 'Unknown error.'], progress: '', announcement: `The check could not run: ${state.error ?? ''}` };
  }
}
