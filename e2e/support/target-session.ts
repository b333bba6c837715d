import type { CDPSession } from 'playwright-core';
import { withTimeout } from './wait';

interface RpcResponse {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: string };
}

/**
 * A CDP session with one target (DevTools front-end, extension iframe, …), tunnelled through
 * the browser-level session: `Target.attachToTarget({ flatten: false })`, commands sent with
 * `Target.sendMessageToTarget`, answers read from `Target.receivedMessageFromTarget`.
 * (Playwright's own sessions do not reach DevTools' targets.)
 */
export class TargetSession {
  readonly #browser: CDPSession;
  readonly sessionId: string;
  readonly targetId: string;
  readonly label: string;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  readonly #eventListeners = new Set<(method: string, params: unknown) => void>();
  #detached = false;
  readonly #onMessage: (event: { sessionId: string; message: string }) => void;
  readonly #onDetached: (event: { sessionId: string }) => void;

  private constructor(browser: CDPSession, targetId: string, sessionId: string, label: string) {
    this.#browser = browser;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.label = label;
    this.#onMessage = (event) => {
      if (event.sessionId !== this.sessionId) return;
      const message = JSON.parse(event.message) as RpcResponse;
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        if (!pending) return;
        this.#pending.delete(message.id);
        if (message.error) {
          pending.reject(new Error(`${this.label}: ${pending.method} failed: ${message.error.message}${message.error.data ? ` (${message.error.data})` : ''}`));
        } else {
          pending.resolve(message.result);
        }
      } else if (message.method) {
        for (const listener of this.#eventListeners) listener(message.method, message.params);
      }
    };
    this.#onDetached = (event) => {
      if (event.sessionId !== this.sessionId) return;
      this.#markDetached('the target detached (was it closed?)');
    };
    browser.on('Target.receivedMessageFromTarget', this.#onMessage);
    browser.on('Target.detachedFromTarget', this.#onDetached);
  }

  static async attach(browser: CDPSession, targetId: string, label: string): Promise<TargetSession> {
    const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: false });
    return new TargetSession(browser, targetId, sessionId, label);
  }

  get detached(): boolean {
    return this.#detached;
  }

  /** Sends one CDP command to the target; rejects after `timeout` ms without an answer. */
  async send<T = unknown>(method: string, params: object = {}, timeout = 15_000): Promise<T> {
    if (this.#detached) throw new Error(`${this.label}: cannot send ${method}, the session is detached`);
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
    });
    // The target may detach (rejecting `answer`) while the message is still being sent, or the send
    // itself may fail: then nothing awaits `answer`, and its rejection must not go unhandled.
    answer.catch(() => undefined);
    try {
      await this.#browser.send('Target.sendMessageToTarget', {
        sessionId: this.sessionId,
        message: JSON.stringify({ id, method, params }),
      });
      return (await withTimeout(`${this.label} to answer ${method}`, answer, timeout)) as T;
    } finally {
      this.#pending.delete(id);
    }
  }

  /** Listens to CDP events of this target (after enabling their domain). */
  onEvent(listener: (method: string, params: unknown) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  async detach(): Promise<void> {
    if (this.#detached) return;
    this.#markDetached('the session was detached');
    await this.#browser.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined);
  }

  #markDetached(reason: string): void {
    this.#detached = true;
    this.#browser.off('Target.receivedMessageFromTarget', this.#onMessage);
    this.#browser.off('Target.detachedFromTarget', this.#onDetached);
    for (const pending of this.#pending.values()) pending.reject(new Error(`${this.label}: ${pending.method} aborted: ${reason}`));
    this.#pending.clear();
    this.#eventListeners.clear();
  }
}

interface EvaluateResult {
  result: { type: string; value?: unknown; description?: string };
  exceptionDetails?: { text: string; exception?: { description?: string; value?: unknown } };
}

/** `Runtime.evaluate` with awaitPromise/returnByValue; throws with the page's exception text. */
export async function evaluateIn<T>(session: TargetSession, expression: string, timeout?: number): Promise<T> {
  const response = await session.send<EvaluateResult>(
    'Runtime.evaluate',
    { expression, awaitPromise: true, returnByValue: true, userGesture: true },
    timeout,
  );
  if (response.exceptionDetails) {
    const details = response.exceptionDetails;
    const text = details.exception?.description ?? String(details.exception?.value ?? details.text);
    throw new Error(`${session.label}: evaluation failed: ${text}\n  expression: ${expression.slice(0, 300)}`);
  }
  return response.result.value as T;
}
