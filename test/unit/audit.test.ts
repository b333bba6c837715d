import { describe, expect, it } from 'vitest';
import { signFlaskCookie, signFlaskSessionId, type PyValue } from '../../src/core';
import { auditCookie, auditCookieAsync, createAuditor, readWordlist, BUILT_IN_SECRETS, CandidateBatch } from '../../src/core/audit';

const payload: PyValue = { type: 'dict', entries: new Map<string, PyValue>([['user', { type: 'str', value: 'alice' }]]) };

function cookie(secret: string | { hex: string }, options: Parameters<typeof signFlaskCookie>[1] extends infer O ? Partial<O> : never = {}): string {
  const signed = signFlaskCookie(payload, { timestamp: 1_700_000_000, ...options, secret: typeof secret === 'string' ? { text: secret } : secret });
  if (!signed.ok) throw new Error(signed.error.message);
  return signed.value.cookie;
}

describe('auditCookie', () => {
  it('finds a published placeholder from the built-in list before any candidate', () => {
    const verdict = auditCookie(cookie('super secret key'), ['never reached']);
    expect(verdict).toMatchObject({ found: true, secret: 'super secret key', secretHex: '737570657220736563726574206b6579', source: 'built-in', reason: null });
    expect(verdict.candidatesTried).toBe(BUILT_IN_SECRETS.indexOf('super secret key') + 1);
  });

  it('then the caller’s candidates, in order, counting everything tried', () => {
    const verdict = auditCookie(cookie('s3cret-from-the-list'), ['a', 'b', 's3cret-from-the-list', 'c']);
    expect(verdict).toMatchObject({ found: true, secret: 's3cret-from-the-list', source: 'candidates', candidateIndex: BUILT_IN_SECRETS.length + 2 });
    expect(auditCookie(cookie('s3cret-from-the-list'), ['x', 's3cret-from-the-list'], { builtIn: false }).candidatesTried).toBe(2);
  });

  it('reports a miss with the number of candidates tried', () => {
    const verdict = auditCookie(cookie('not guessable 7f3a'), ['a', 'b'], { batchSize: 1 });
    expect(verdict).toMatchObject({ found: false, secret: null, secretHex: null, source: null, candidatesTried: BUILT_IN_SECRETS.length + 2 });
  });

  it('finds byte secrets (shown as hex; text only when they are UTF-8), including the Flask quickstart key', () => {
    expect(auditCookie(cookie({ hex: '5f352379324c2246345138 7a0aec5d2f' }), [])).toMatchObject({ found: true, secret: null, secretHex: '5f352379324c22463451387a0aec5d2f', source: 'built-in' });
    const raw = Uint8Array.of(0, 255, 1, 2);
    expect(auditCookie(cookie({ hex: '00ff0102' }), [new Uint8Array(0), raw], { builtIn: false })).toMatchObject({ found: true, secretHex: '00ff0102', candidateIndex: 1 });
  });

  it('honours the signer settings: salt, digest, key derivation', () => {
    for (const options of [{ digest: 'sha256' }, { digest: 'sha512', keyDerivation: 'django-concat' }, { digest: 'sha224', keyDerivation: 'none', salt: 'other' }, { digest: 'md5', keyDerivation: 'concat' }] as const) {
      const value = cookie('k€y', options);
      expect(auditCookie(value, ['k€y'], { ...options, builtIn: false }).found).toBe(true);
      expect(auditCookie(value, ['k€y'], { builtIn: false }).found).toBe(false);
    }
  });

  it('explains values that cannot be checked', () => {
    expect(auditCookie('no-dot-here', []).reason?.code).toBe('ERR_COOKIE_STRUCTURE');
    const sha256Cookie = cookie('x', { digest: 'sha256' });
    expect(auditCookie(sha256Cookie, []).reason).toMatchObject({ code: 'ERR_SIGNATURE_MISMATCH', message: expect.stringContaining('sha256 would fit') });
  });

  it('reads the signature as itsdangerous does: Python-lenient base64 counts', () => {
    expect(auditCookie(`${cookie('dev')}==`, []).found).toBe(true);
  });

  it('Flask-Session signed ids: salt flask-session', () => {
    const signed = signFlaskSessionId('8f1c1c2e-7a44-4c6b-9a53-0d6f3e1d2b7a', { secret: { text: 'changeme' } });
    if (!signed.ok) throw new Error(signed.error.message);
    expect(auditCookie(signed.value, [], { format: 'flask-session' })).toMatchObject({ found: true, secret: 'changeme', format: 'flask-session' });
    expect(auditCookie(signed.value, []).found).toBe(false);
  });

  it('streams a wordlist: auditCookieAsync over readWordlist chunks, with progress', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `"candidate-${i}"`);
    lines[4321] = `'the \\'real\\' one'`;
    const bytes = new TextEncoder().encode(lines.join('\r\n'));
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000);
    }
    const progress: number[] = [];
    const verdict = await auditCookieAsync(cookie("the 'real' one"), readWordlist(chunks()), { onProgress: (n) => progress.push(n) });
    expect(verdict).toMatchObject({ found: true, secret: "the 'real' one", candidateIndex: BUILT_IN_SECRETS.length + 4321 });
    expect(progress.length).toBeGreaterThan(10);
  });
});

describe('createAuditor', () => {
  it('tryBatch: the index in the batch, or −1; arrays and packed batches alike, the SIMD and plain-JS kernels alike', () => {
    for (const simd of [true, false]) {
      const auditor = createAuditor(cookie('needle'), { simd });
      const batch = new CandidateBatch();
      for (let i = 0; i < 1000; i++) batch.add(i === 777 ? 'needle' : `hay-${i}`);
      expect(auditor.tryBatch(batch)).toBe(777);
      expect(auditor.tryBatch(['hay', 'needle'])).toBe(1);
      expect(auditor.tryBatch(['hay'])).toBe(-1);
    }
  });
});
