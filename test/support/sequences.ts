import type { CapturedExchange } from '../../src/core';
import { loadVectorFile } from './vectors';

export interface HttpStep {
  step: string;
  request: { method: string; path: string; cookie_header: string | null };
  response: { status: number; headers: [string, string][] };
}
export interface HttpSequence {
  stack: string;
  name: string;
  SESSION_REFRESH_EACH_REQUEST: boolean;
  steps: HttpStep[];
}

export const HTTP_SEQUENCE_SECRET = 'http-demo-secret';

export function httpSequences(): HttpSequence[] {
  return loadVectorFile<{ sequences: HttpSequence[] }>('flask_http_sequences.json').sequences;
}

/** A recorded step as the DevTools panel would capture it. */
export function stepToExchange(step: HttpStep, seq: number, origin = 'http://127.0.0.1:5000'): CapturedExchange {
  const date = step.response.headers.find(([name]) => name.toLowerCase() === 'date')?.[1];
  return {
    seq,
    startedAt: date ? Date.parse(date) : 0,
    method: step.request.method,
    url: origin + step.request.path,
    status: step.response.status,
    requestHeaders: step.request.cookie_header ? [{ name: 'Cookie', value: step.request.cookie_header }] : [],
    responseHeaders: step.response.headers.map(([name, value]) => ({ name, value })),
  };
}

/** One request of a recorded Flask-Session run (`flask_session.json`). */
export interface FlaskSessionStep {
  step: string;
  request: { method: string; path: string; cookie_header: string | null };
  status: number;
  set_cookie: string[];
  vary: string | null;
  cookie_value?: string;
  unsigned_sid?: string;
  signature_valid?: boolean;
  sid_len?: number;
}
export interface FlaskSessionRun {
  stack: string;
  variant: string;
  backend: string;
  SESSION_USE_SIGNER: boolean;
  secret_key: string;
  steps: FlaskSessionStep[];
}

export function flaskSessionRuns(): FlaskSessionRun[] {
  return loadVectorFile<{ runs: FlaskSessionRun[] }>('flask_session.json').runs;
}

/** A recorded Flask-Session step as the panel would capture it, one second after the previous one. */
export function flaskSessionStepToExchange(step: FlaskSessionStep, seq: number, origin = 'http://127.0.0.1:5000'): CapturedExchange {
  return {
    seq,
    startedAt: Date.parse('2026-11-25T17:37:13Z') + seq * 1000,
    method: step.request.method,
    url: origin + step.request.path,
    status: step.status,
    requestHeaders: step.request.cookie_header ? [{ name: 'Cookie', value: step.request.cookie_header }] : [],
    responseHeaders: [...step.set_cookie.map((value) => ({ name: 'Set-Cookie', value })), ...(step.vary ? [{ name: 'Vary', value: step.vary }] : [])],
  };
}
