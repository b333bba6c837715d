import net from 'node:net';

/**
 * A minimal client for Firefox's Marionette protocol (what geckodriver speaks to Firefox): one
 * TCP connection; frames are `<byte length>:<JSON>`; a command is `[0, id, name, params]` and its
 * answer `[1, id, error, result]`. Only what the Firefox e2e tests use.
 */
export class MarionetteError extends Error {
  constructor(command: string, error: { error?: string; message?: string }) {
    super(`Marionette ${command}: ${error.error ?? 'error'}: ${error.message ?? ''}`.trim());
    this.name = 'MarionetteError';
  }
}

export class Marionette {
  readonly #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #nextId = 0;
  readonly #pending = new Map<number, { command: string; resolve(value: unknown): void; reject(error: Error): void }>();
  #greeting: ((value: unknown) => void) | undefined;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('close', () => {
      for (const call of this.#pending.values()) call.reject(new Error(`Marionette connection closed during ${call.command}`));
      this.#pending.clear();
    });
  }

  static async connect(port: number): Promise<Marionette> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const client = new Marionette(socket);
    await new Promise((resolve) => (client.#greeting = resolve)); // {applicationType, marionetteProtocol}
    return client;
  }

  #receive(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const colon = this.#buffer.indexOf(':');
      if (colon < 0) return;
      const length = Number(this.#buffer.subarray(0, colon).toString());
      if (this.#buffer.length < colon + 1 + length) return;
      const frame: unknown = JSON.parse(this.#buffer.subarray(colon + 1, colon + 1 + length).toString());
      this.#buffer = this.#buffer.subarray(colon + 1 + length);
      if (!Array.isArray(frame)) {
        this.#greeting?.(frame);
        this.#greeting = undefined;
        continue;
      }
      const [, id, error, result] = frame as [1, number, { error?: string; message?: string } | null, unknown];
      const call = this.#pending.get(id);
      this.#pending.delete(id);
      if (!call) continue;
      if (error) call.reject(new MarionetteError(call.command, error));
      else call.resolve(result);
    }
  }

  send<T = unknown>(command: string, params: object = {}): Promise<T> {
    const id = ++this.#nextId;
    const body = Buffer.from(JSON.stringify([0, id, command, params]));
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { command, resolve: resolve as (value: unknown) => void, reject });
      this.#socket.write(Buffer.concat([Buffer.from(`${body.length}:`), body]));
    });
  }

  /**
   * Runs `body` (an async function body; `args` is in scope) in the chosen context and returns
   * its JSON-serializable result. Errors thrown in the script come back as MarionetteError.
   */
  async run<T>(context: 'chrome' | 'content', body: string, args: unknown[] = []): Promise<T> {
    await this.send('Marionette:SetContext', { value: context });
    const script = `const [args, done] = [Array.from(arguments).slice(0, -1), arguments[arguments.length - 1]];
      (async () => { ${body} })().then((value) => done({ ok: true, value }), (e) => done({ ok: false, error: String(e) + '\\n' + (e && e.stack || '') }));`;
    const { value } = await this.send<{ value: { ok: boolean; value?: T; error?: string } }>('WebDriver:ExecuteAsyncScript', { script, args, scriptTimeout: 60_000 });
    if (!value.ok) throw new Error(`script in ${context} context failed: ${value.error}`);
    return value.value as T;
  }

  close(): void {
    this.#socket.destroy();
  }
}
