/** Polling helper used by every step of the harness, so each timeout names what it waited for. */
export interface WaitOptions {
  /** Milliseconds before giving up. */
  timeout?: number;
  /** Milliseconds between attempts. */
  interval?: number;
}

export class HarnessTimeoutError extends Error {
  constructor(description: string, timeout: number, lastError?: unknown) {
    const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
    super(`Timed out after ${timeout} ms waiting for ${description}${cause}`);
    this.name = 'HarnessTimeoutError';
  }
}

/**
 * Calls `probe` until it returns something other than undefined/null/false, and returns that.
 * Errors thrown by `probe` count as "not yet"; the last one is quoted if time runs out.
 */
export async function waitUntil<T>(
  description: string,
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeout = 10_000, interval = 100 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) throw new HarnessTimeoutError(description, timeout, lastError);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

/** Rejects with a HarnessTimeoutError if `promise` has not settled within `timeout` ms. */
export async function withTimeout<T>(description: string, promise: Promise<T>, timeout: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new HarnessTimeoutError(description, timeout)), timeout);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
