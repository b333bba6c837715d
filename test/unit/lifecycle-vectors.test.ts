import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, TimelineBuilder, formatPath, type HttpTimelineEntry, type LifecycleEvent } from '../../src/core';
import { HTTP_SEQUENCE_SECRET, flaskSessionRuns, flaskSessionStepToExchange, httpSequences, stepToExchange } from '../support/sequences';

/** What each recorded step is, in the panel's words (from each step's expectation note). */
const EXPECTED: Record<string, Record<string, LifecycleEvent>> = {
  'permanent-refresh-on': {
    'login-permanent': 'created',
    'read-permanent': 'refreshed',
    'no-session-access-permanent': 'refreshed',
    'membership-permanent': 'refreshed',
    'logout-permanent': 'deleted',
  },
  'basic-lifecycle': {
    'no-session-access': 'untouched',
    login: 'created',
    'read-only': 'read',
    'membership-test-only': 'read',
    modify: 'modified',
    'cart-init': 'modified',
    'mutate-nested-undetected': 'read',
    'mutate-nested-flagged': 'modified',
    'pop-key': 'modified',
    logout: 'deleted',
    'after-logout-read': 'read',
    'logout-without-cookie': 'deleted',
    'tampered-cookie': 'rejected', // forged, and signed in 2023: too old for the 31-day lifetime even without the secret
    'expired-cookie': 'rejected', // its age alone says so
    'tampered-cookie-then-login': 'rejected',
    'valid-signature-bad-payload': 'rejected',
  },
  'permanent-refresh-off': {
    'login-permanent': 'created',
    'read-permanent': 'read',
    'no-session-access-permanent': 'untouched',
    'membership-permanent': 'read',
    'logout-permanent': 'deleted',
  },
};

function replay(secrets: string[], sequenceName: string): HttpTimelineEntry[] {
  const sequence = httpSequences().find((s) => s.name === sequenceName)!;
  const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: secrets.map((text) => ({ text })) });
  return sequence.steps.map((step, i) => builder.addExchange(stepToExchange(step, i)));
}

describe('lifecycle on the recorded Flask HTTP sequences', () => {
  for (const sequence of httpSequences()) {
    it(`${sequence.stack} ${sequence.name}: every step gets its event`, () => {
      const entries = replay([], sequence.name);
      const events = Object.fromEntries(sequence.steps.map((s, i) => [s.step, entries[i]!.event]));
      expect(events).toEqual(EXPECTED[sequence.name]);
    });
  }

  it('with the secret, the forged cookie is rejected and explained', () => {
    const entries = replay([HTTP_SEQUENCE_SECRET], 'basic-lifecycle');
    const tampered = entries[httpSequences().find((s) => s.name === 'basic-lifecycle')!.steps.findIndex((s) => s.step === 'tampered-cookie')]!;
    expect(tampered.event).toBe('rejected');
    expect(tampered.diagnostics.map((d) => d.code)).toContain('bad-signature');
  });

  it('modified steps carry the payload diff', () => {
    const steps = httpSequences().find((s) => s.name === 'basic-lifecycle')!.steps;
    const entries = replay([], 'basic-lifecycle');
    const diffOf = (step: string) => entries[steps.findIndex((s) => s.step === step)]!.changes.map((c) => `${c.kind} ${formatPath(c.path)}`);
    expect(diffOf('modify')).toEqual(['added count']);
    expect(diffOf('cart-init')).toEqual(['added cart']);
    expect(diffOf('mutate-nested-flagged')).toEqual(['added cart[0]']);
    expect(diffOf('pop-key')).toEqual(['removed count']);
  });

  it('explains the undetected nested mutation, the expired cookie and the HTTP 500', () => {
    const steps = httpSequences().find((s) => s.name === 'basic-lifecycle')!.steps;
    const entries = replay([], 'basic-lifecycle');
    const codes = (step: string) => entries[steps.findIndex((s) => s.step === step)]!.diagnostics.map((d) => d.code);
    expect(codes('mutate-nested-undetected')).toContain('write-not-saved');
    expect(codes('expired-cookie')).toContain('expired-cookie-sent');
    expect(codes('valid-signature-bad-payload')).toContain('bad-payload');
    expect(codes('read-only')).not.toContain('write-not-saved');
  });
});

describe('lifecycle on the recorded Flask-Session runs', () => {
  for (const run of flaskSessionRuns()) {
    it(`${run.stack} ${run.variant} ${run.backend} signer=${run.SESSION_USE_SIGNER}`, () => {
      const builder = new TimelineBuilder({ ...DEFAULT_SETTINGS, secrets: [{ text: run.secret_key }] });
      const entries = run.steps.map((step, i) => builder.addExchange(flaskSessionStepToExchange(step, i)));
      for (const [i, step] of run.steps.entries()) {
        const entry = entries[i]!;
        const sentId = step.request.cookie_header?.replace(/^session=/, '').replace(/\..*$/, '');
        const newCookie = step.set_cookie[0]?.match(/^session=([^;]*)/)?.[1] ?? null;
        if (step.step === 'login') {
          expect(entry.event, step.step).toBe('created');
          expect(entry.sessionId).toBe('new');
        } else if (step.step === 'logout') {
          expect(entry.event, step.step).toBe('deleted');
        } else if (step.step === 'tampered-signature') {
          // The server issued a new id (≤ 0.5) or none (≥ 0.6): either way it did not accept the one it got.
          expect(entry.event, step.step).toBe('rejected');
          if (newCookie) expect(entry.sessionId).toBe('changed');
        } else if (newCookie && newCookie.replace(/\..*$/, '') === sentId) {
          expect(entry.event, step.step).toBe('refreshed');
          expect(entry.sessionId).toBe('kept');
          const adopted = entry.diagnostics.some((d) => d.code === 'unknown-id-adopted');
          expect(adopted, step.step).toBe(step.step === 'unknown-sid');
        }
      }
    });
  }
});
