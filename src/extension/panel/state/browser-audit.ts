import { SecretAudit, type AuditWorker } from './secret-audit';

/** "Check for a known secret" on real Web Workers: one per core (module workers, bundled by Vite). */
export function browserSecretAudit(): SecretAudit {
  return new SecretAudit({
    createWorker: () => new Worker(new URL('../audit-worker.ts', import.meta.url), { type: 'module', name: 'session-lens-audit' }) as unknown as AuditWorker,
    workerCount: navigator.hardwareConcurrency || 2,
    now: () => performance.now(),
  });
}
