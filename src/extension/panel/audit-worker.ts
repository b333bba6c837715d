// A weak-secret audit worker: the panel starts one per core and hands it jobs (state/audit-jobs.ts).
import { AuditJobRunner, type AuditReply, type AuditRequest } from './state/audit-jobs';

const scope = self as unknown as { onmessage: ((event: MessageEvent<AuditRequest>) => void) | null; postMessage(message: AuditReply): void };
const runner = new AuditJobRunner();
scope.onmessage = (event) => runner.handle(event.data, (reply) => scope.postMessage(reply));
