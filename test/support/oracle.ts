import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { parseTypedJson, type PyValue, type SecretInput } from '../../src/core';

const ORACLE = join(import.meta.dirname, '..', 'python', 'flask_oracle.py');

export interface SignerFields {
  salt?: string;
  digest?: string;
  key_derivation?: string;
}

export interface OracleLoads {
  verdict: string;
  payload: PyValue | null;
  exception: string | null;
}

/** A long-lived Python process that answers with the real Flask/itsdangerous (test/python/flask_oracle.py). */
export class FlaskOracle {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: { resolve(line: string): void; reject(error: Error): void }[] = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor(python: string) {
    this.child = spawn(python, [ORACLE], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.pending.shift()?.resolve(line));
    this.child.once('exit', (code) => {
      this.exited = new Error(`oracle exited (${code}): ${this.stderr}`);
      for (const request of this.pending.splice(0)) request.reject(this.exited);
    });
  }

  /** Sends one request line (already JSON) and returns the parsed answer. */
  private async exchange(line: string): Promise<Record<string, unknown>> {
    const answerLine = await new Promise<string>((resolve, reject) => {
      if (this.exited) return reject(this.exited);
      this.pending.push({ resolve, reject });
      this.child.stdin.write(line + '\n');
    });
    const answer = JSON.parse(answerLine) as Record<string, unknown>;
    if (!answer.ok) throw new Error(`oracle error: ${String(answer.error)}`);
    return answer;
  }

  versions(): Promise<Record<string, unknown>> {
    return this.exchange('{"op":"versions"}');
  }

  /** Signs with Flask's TaggedJSONSerializer; `payloadTypedJson` is $type JSON text (so 1.0 stays a float). */
  async sign(payloadTypedJson: string, secret: SecretInput, timestamp: number, signer: SignerFields = {}): Promise<string> {
    const fields = JSON.stringify({ op: 'sign', secret, timestamp, ...signer }).slice(0, -1);
    return (await this.exchange(`${fields},"payload":${payloadTypedJson}}`)).cookie as string;
  }

  /** Signs JSON text exactly as given (a payload Flask itself would never write). */
  async signText(text: string, secret: SecretInput, timestamp: number): Promise<string> {
    return (await this.exchange(JSON.stringify({ op: 'sign_text', text, secret, timestamp }))).cookie as string;
  }

  /** `URLSafeTimedSerializer.loads` with Flask's serializer: the verdict and payload the server gets. */
  async loads(cookie: string, secrets: SecretInput[], options: SignerFields & { max_age?: number | null; now?: number | null } = {}): Promise<OracleLoads> {
    const answer = await this.exchange(JSON.stringify({ op: 'loads', cookie, secrets, ...options }));
    return {
      verdict: answer.verdict as string,
      payload: typeof answer.payload_json === 'string' ? parseTypedJson(answer.payload_json) : null,
      exception: (answer.exception as string | null) ?? null,
    };
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }
}
