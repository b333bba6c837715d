import { headerValues, type CapturedExchange, type CookieAnalysis, type JarChange, type JarCookie, type SessionCandidate, type SessionSettings } from '../../../core';
import type { CookieJar } from '../../platform/cookie-jar';
import type { ExchangeBatchListener } from '../../platform/exchange-stream';
import { DEFAULT_EXCHANGE_CAPACITY } from '../../platform/exchange-log';
import { defaultOriginSettings, type OriginSettings, type SettingsStore } from '../../platform/settings-store';
import { analyzeCandidate, chooseCandidate, sessionCandidates, toSessionSettings } from './derive';
import { inlineWorker, knownSecretTarget, SecretAudit, type AuditTarget, type FoundSecret, type SecretAuditState, type WordlistFile } from './secret-audit';

/**
 * The panel's state: inputs from the platform (exchanges, inspected origin, cookie jar,
 * settings) and what the core derives from them (session candidates, the chosen cookie's
 * analysis). Plain TypeScript with a subscribe/getState pair for React's useSyncExternalStore.
 */

/** What the panel needs from the browser; `browserPanelPlatform()` wires the real one. */
export interface PanelPlatform {
  subscribeExchanges(listener: ExchangeBatchListener): () => void;
  inspectedOrigin(): Promise<string | null>;
  settings: SettingsStore;
  jar: CookieJar;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Repeats `fn` every `ms`; returns a canceller. */
  every(ms: number, fn: () => void): () => void;
  /** Runs `fn` once after `ms`; returns a canceller. */
  later(ms: number, fn: () => void): () => void;
}

/**
 * `unknown`: no inspected origin yet; `checking`: asking the browser; `unavailable`: the page
 * has no http(s) origin or the browser has no such permission.
 */
export type HostAccess = 'unknown' | 'checking' | 'granted' | 'not-granted' | 'unavailable';

export interface PanelState {
  inspectedOrigin: string | null;
  /** Every exchange received, backlog first, in `seq` order (the newest `capacity`). */
  exchanges: readonly CapturedExchange[];
  droppedExchanges: number;
  hostAccess: HostAccess;
  /** The jar's cookies for the inspected origin (empty without host access). */
  jar: readonly JarCookie[];
  /** Jar changes for the inspected site, in arrival order. */
  jarChanges: readonly JarChange[];
  /** The inspected origin's settings, as the form edits them. */
  settings: OriginSettings;
  settingsLoaded: boolean;
  /** The same settings for the core (same object until the settings change). */
  sessionSettings: SessionSettings;
  candidates: readonly SessionCandidate[];
  /** The candidate shown: pinned, else picked, else the most likely. */
  selected: SessionCandidate | null;
  analysis: CookieAnalysis | null;
  nowMs: number;
  /**
   * What "Check for a known secret" would check for the cookie shown (target), or why it cannot
   * (unavailable). The check's own progress is `secretAuditState()` (its own subscription, so that
   * progress re-renders only the check's section).
   */
  knownSecret: { target: AuditTarget; unavailable: null } | { target: null; unavailable: string };
  /** Something the panel could not do (storage, permissions), in words for the user. */
  problem: string | null;
}

export interface PanelStoreOptions {
  exchangeCapacity?: number;
  /** How often the clock advances (ages and expiry). */
  tickMs?: number;
  /** Jar reads are coalesced over this delay. */
  jarRefreshDelayMs?: number;
  /** Live traffic re-derives the candidates at most this often (each pass reads every exchange). */
  candidateDelayMs?: number;
  /** Runs "Check for a known secret" (workers); by default one runner in the panel's own thread. */
  secretAudit?: SecretAudit;
}

function hasSetCookie(exchange: CapturedExchange): boolean {
  return headerValues(exchange.responseHeaders, 'set-cookie').length > 0;
}

function isHttpOrigin(origin: string): boolean {
  return origin.startsWith('http://') || origin.startsWith('https://');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class PanelStore {
  readonly #platform: PanelPlatform;
  readonly #capacity: number;
  readonly #tickMs: number;
  readonly #jarDelay: number;
  readonly #candidateDelay: number;
  readonly #audit: SecretAudit;
  readonly #listeners = new Set<() => void>();
  #state: PanelState;
  #picked: string | null = null;
  /** Edits made before the origin's stored settings arrived: applied on top of them, then saved. */
  #editsBeforeLoad: Partial<OriginSettings> = {};
  #originRequest = 0;
  #stops: (() => void)[] = [];
  #stopWatch: (() => void) | null = null;
  #cancelJarRefresh: (() => void) | null = null;
  /** The exchanges the candidates were last derived from (refreshed at most every candidateDelayMs). */
  #candidateExchanges: readonly CapturedExchange[] = [];
  #cancelCandidates: (() => void) | null = null;
  #cancelDerivation: (() => void) | null = null;
  #cancelNotify: (() => void) | null = null;
  // Memo keys for the derivations.
  #candidatesFrom: unknown[] = [];
  #analysisFrom: unknown[] = [];
  #knownSecretFrom: unknown[] = [];

  constructor(platform: PanelPlatform, options: PanelStoreOptions = {}) {
    this.#platform = platform;
    this.#capacity = options.exchangeCapacity ?? DEFAULT_EXCHANGE_CAPACITY;
    this.#tickMs = options.tickMs ?? 10_000;
    this.#jarDelay = options.jarRefreshDelayMs ?? 50;
    this.#candidateDelay = options.candidateDelayMs ?? 100;
    this.#audit = options.secretAudit ?? new SecretAudit({ createWorker: inlineWorker, workerCount: 1, now: () => platform.now() });
    const settings = defaultOriginSettings();
    this.#state = {
      inspectedOrigin: null,
      exchanges: [],
      droppedExchanges: 0,
      hostAccess: 'unknown',
      jar: [],
      jarChanges: [],
      settings,
      settingsLoaded: false,
      sessionSettings: toSessionSettings(settings),
      candidates: [],
      selected: null,
      analysis: null,
      nowMs: platform.now(),
      knownSecret: knownSecretTarget(null, null, toSessionSettings(settings)),
      problem: null,
    };
  }

  getState = (): PanelState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Connects to the platform; returns a function that disconnects everything. */
  start(): () => void {
    const platform = this.#platform;
    this.#stops.push(platform.subscribeExchanges((batch, info) => this.#receive(batch, info.dropped)));
    this.#stops.push(platform.jar.onHostAccessChanged(() => void this.#checkHostAccess()));
    this.#stops.push(platform.every(this.#tickMs, () => this.#update({ nowMs: platform.now() })));
    this.#stops.push(this.#audit.onFound((secret, target) => this.#secretFound(secret, target)));
    void this.refreshOrigin();
    return () => {
      this.#audit.dispose();
      for (const stop of this.#stops.splice(0)) stop();
      this.#stopWatch?.();
      this.#stopWatch = null;
      this.#cancelJarRefresh?.();
      this.#cancelCandidates?.();
      this.#cancelDerivation?.();
      this.#cancelNotify?.();
    };
  }

  // ------------------------------------------------------------------ actions

  /** Asks the inspected page for its origin again (after a navigation). */
  async refreshOrigin(): Promise<void> {
    const request = ++this.#originRequest;
    let origin: string | null;
    try {
      origin = await this.#platform.inspectedOrigin();
    } catch (error) {
      if (request === this.#originRequest) this.#update({ problem: `Could not read the inspected page's origin: ${message(error)}` });
      return;
    }
    if (request !== this.#originRequest || origin === this.#state.inspectedOrigin) return;
    this.#picked = null;
    // A check's result is about the site it ran on.
    this.#audit.reset();
    // Edits typed for another origin do not follow a navigation; those typed before the first one do.
    if (this.#state.inspectedOrigin !== null) this.#editsBeforeLoad = {};
    const settings = { ...defaultOriginSettings(), ...this.#editsBeforeLoad };
    this.#update({ inspectedOrigin: origin, settings, settingsLoaded: false, jar: [], hostAccess: origin === null ? 'unknown' : 'checking', problem: null });
    this.#stopWatch?.();
    this.#stopWatch = null;
    if (origin === null) return;
    if (isHttpOrigin(origin)) {
      this.#stopWatch = this.#platform.jar.watch(origin, (change) => this.#jarChanged(change));
    }
    await Promise.all([this.#loadSettings(origin), this.#checkHostAccess()]);
  }

  /** Shows this candidate (until another is picked; a pinned one still wins). */
  selectCandidate(name: string): void {
    this.#picked = name;
    this.#update({});
  }

  /** Pins `name` as this origin's session cookie (null unpins). */
  pinCandidate(name: string | null): void {
    if (name !== null) this.#picked = name;
    this.updateSettings({ pinnedCookie: name });
  }

  /** Edits the origin's settings; they are saved (storage.session, and storage.local when remembered). */
  updateSettings(patch: Partial<OriginSettings>): void {
    const settings = { ...this.#state.settings, ...patch };
    this.#update({ settings });
    const origin = this.#state.inspectedOrigin;
    if (origin === null || !this.#state.settingsLoaded) {
      this.#editsBeforeLoad = { ...this.#editsBeforeLoad, ...patch };
      return;
    }
    this.#platform.settings.save(origin, settings).catch((error: unknown) => {
      this.#update({ problem: `Could not save the settings: ${message(error)}` });
    });
  }

  /** Wipes the origin's settings (secrets included) from memory and both storage areas. */
  async forgetSettings(): Promise<void> {
    const origin = this.#state.inspectedOrigin;
    this.#editsBeforeLoad = {};
    this.#update({ settings: defaultOriginSettings() });
    if (origin === null) return;
    try {
      await this.#platform.settings.forget(origin);
    } catch (error) {
      this.#update({ problem: `Could not erase the stored settings: ${message(error)}` });
    }
  }

  /**
   * Asks for host access to the inspected origin. Call from a click handler: the request is
   * made synchronously, inside the user gesture.
   */
  requestHostAccess(): Promise<void> {
    const origin = this.#state.inspectedOrigin;
    if (origin === null || !isHttpOrigin(origin)) return Promise.resolve();
    let request: Promise<boolean>;
    try {
      request = this.#platform.jar.requestHostAccess(origin);
    } catch (error) {
      request = Promise.reject(error);
    }
    return request.then(
      () => this.#checkHostAccess(),
      (error: unknown) => this.#update({ problem: `Could not ask for access to ${origin}: ${message(error)}` }),
    );
  }

  /**
   * Replaces the value of the jar's cookie `name` (its Domain, Path, Secure, HttpOnly, SameSite
   * and expiry kept) and returns the cookie as it was, for Undo; null when it could not (the
   * reason is in `problem`). Only ever called from the editor's "Set cookie" and "Undo" buttons.
   */
  async writeSessionCookie(name: string, value: string): Promise<JarCookie | null> {
    const origin = this.#state.inspectedOrigin;
    const current = this.#state.jar.find((c) => c.name === name);
    if (origin === null || this.#state.hostAccess !== 'granted' || !current) {
      this.#update({ problem: `Cannot set ${name}: allow reading cookies for this site first, so the cookie and its attributes are known.` });
      return null;
    }
    try {
      await this.#platform.jar.write(origin, { ...current, value });
    } catch (error) {
      this.#update({ problem: `Could not set ${name}: ${message(error)}` });
      return null;
    }
    await this.#refreshJar();
    return current;
  }

  /** The check's progress and last result (read with useSecretAudit()). */
  secretAuditState = (): SecretAuditState => this.#audit.getState();

  subscribeSecretAudit = (listener: () => void): (() => void) => this.#audit.subscribe(listener);

  /** The wordlist file for "Check for a known secret" (null: the built-in list only). Kept in memory, never stored. */
  chooseWordlist(file: WordlistFile | null): void {
    this.#audit.chooseWordlist(file);
  }

  /** Starts the check's workers ahead of time (when the user is about to run it). */
  prepareSecretCheck(): void {
    this.#audit.prepare();
  }

  /** Looks for the shown cookie's secret among the built-in list, then the chosen wordlist. */
  checkForKnownSecret(): void {
    const { target } = this.#state.knownSecret;
    if (target) this.#audit.check(target);
  }

  cancelSecretCheck(): void {
    this.#audit.cancel();
  }

  // ------------------------------------------------------------------ inputs

  /** A found secret becomes the SECRET_KEY (fallback rows stay), if the same cookie is still shown. */
  #secretFound(secret: FoundSecret, target: AuditTarget): void {
    if (this.#state.selected?.name !== target.cookieName) return;
    const [first, ...fallbacks] = this.#state.settings.secrets;
    if (first && first.value === secret.value && first.encoding === secret.encoding) return;
    this.updateSettings({ secrets: [{ value: secret.value, encoding: secret.encoding }, ...fallbacks] });
  }

  #receive(batch: CapturedExchange[], dropped: number): void {
    const previous = this.#state.exchanges;
    const last = previous.length > 0 ? previous[previous.length - 1]!.seq : 0;
    // A re-subscription starts with the whole backlog again: keep only what is new.
    const fresh = batch.filter((e) => e.seq > last);
    if (fresh.length === 0 && dropped === this.#state.droppedExchanges) return;
    let exchanges = fresh.length > 0 ? [...previous, ...fresh] : previous;
    if (exchanges.length > this.#capacity) exchanges = exchanges.slice(exchanges.length - this.#capacity);
    if (previous.length === 0) this.#candidateExchanges = exchanges;
    else this.#scheduleCandidates();
    this.#update({ exchanges, droppedExchanges: dropped, nowMs: this.#platform.now() });
    if (fresh.some((e) => e.resourceType === 'document')) void this.refreshOrigin();
    if (fresh.some(hasSetCookie)) this.#scheduleJarRefresh();
  }

  #jarChanged(change: JarChange): void {
    const jarChanges = [...this.#state.jarChanges, change];
    this.#update({ jarChanges: jarChanges.length > this.#capacity ? jarChanges.slice(-this.#capacity) : jarChanges });
    this.#scheduleJarRefresh();
  }

  async #loadSettings(origin: string): Promise<void> {
    let settings: OriginSettings;
    let problem: string | null = null;
    try {
      settings = await this.#platform.settings.load(origin);
    } catch (error) {
      settings = defaultOriginSettings();
      problem = `Could not read the stored settings: ${message(error)}`;
    }
    if (this.#state.inspectedOrigin !== origin) return;
    const edits = this.#editsBeforeLoad;
    this.#editsBeforeLoad = {};
    this.#update({ settings: { ...settings, ...edits }, settingsLoaded: true, ...(problem ? { problem } : {}) });
    if (Object.keys(edits).length > 0) this.updateSettings({});
  }

  async #checkHostAccess(): Promise<void> {
    const origin = this.#state.inspectedOrigin;
    if (origin === null) return;
    let access: HostAccess;
    try {
      access = isHttpOrigin(origin) && (await this.#platform.jar.hasHostAccess(origin)) ? 'granted' : isHttpOrigin(origin) ? 'not-granted' : 'unavailable';
    } catch {
      access = 'unavailable';
    }
    if (this.#state.inspectedOrigin !== origin) return;
    this.#update({ hostAccess: access, ...(access === 'granted' ? {} : { jar: [] }) });
    if (access === 'granted') await this.#refreshJar();
  }

  #scheduleCandidates(): void {
    if (this.#cancelCandidates) return;
    this.#cancelCandidates = this.#platform.later(this.#candidateDelay, () => {
      this.#cancelCandidates = null;
      this.#candidateExchanges = this.#state.exchanges;
      this.#update({ nowMs: this.#platform.now() });
    });
  }

  #scheduleJarRefresh(): void {
    if (this.#state.hostAccess !== 'granted' || this.#cancelJarRefresh) return;
    this.#cancelJarRefresh = this.#platform.later(this.#jarDelay, () => {
      this.#cancelJarRefresh = null;
      void this.#refreshJar();
    });
  }

  async #refreshJar(): Promise<void> {
    const origin = this.#state.inspectedOrigin;
    if (origin === null || this.#state.hostAccess !== 'granted') return;
    try {
      const jar = await this.#platform.jar.read(origin);
      if (this.#state.inspectedOrigin === origin) this.#update({ jar, nowMs: this.#platform.now() });
    } catch (error) {
      this.#update({ problem: `Could not read the cookie jar: ${message(error)}` });
    }
  }

  // ------------------------------------------------------------------ derivation

  /**
   * Applies `patch` and tells the listeners at once (a controlled input renders what was typed);
   * the costly derivations (the candidates read every exchange, the analysis decodes the chosen
   * cookie) follow in tasks of their own, one per task, and each is rendered in a task after it:
   * a page that sends hundreds of hostile cookies never holds the panel's thread for long.
   */
  #update(patch: Partial<PanelState>): void {
    const next = { ...this.#state, ...patch };
    if (patch.settings) next.sessionSettings = toSessionSettings(next.settings);
    this.#state = next;
    this.#notify();
    this.#scheduleDerivation();
  }

  #candidateInputs(state: PanelState): unknown[] {
    return [this.#candidateExchanges, state.jar, state.inspectedOrigin, state.sessionSettings.cookieNames.join('\n'), state.settings.pinnedCookie];
  }

  #analysisInputs(state: PanelState): unknown[] {
    const selected = chooseCandidate(state.candidates, state.settings.pinnedCookie, this.#picked);
    return [selected?.name, selected?.value, state.sessionSettings, state.nowMs];
  }

  #scheduleDerivation(): void {
    if (this.#cancelDerivation) return;
    if (sameInputs(this.#candidateInputs(this.#state), this.#candidatesFrom) && sameInputs(this.#analysisInputs(this.#state), this.#analysisFrom)) return;
    this.#cancelDerivation = this.#inTaskOfItsOwn(() => {
      this.#cancelDerivation = null;
      this.#deriveOneStep();
    });
  }

  /** Runs `fn` in a later task; returns its canceller, or null when the platform ran it at once (tests do). */
  #inTaskOfItsOwn(fn: () => void): (() => void) | null {
    let ran = false;
    const cancel = this.#platform.later(0, () => {
      ran = true;
      fn();
    });
    return ran ? null : cancel;
  }

  /** The next stale derivation: the candidates first, then the chosen cookie's analysis. */
  #deriveOneStep(): void {
    const next = { ...this.#state };
    const candidateInputs = this.#candidateInputs(next);
    if (!sameInputs(candidateInputs, this.#candidatesFrom)) {
      this.#candidatesFrom = candidateInputs;
      next.candidates = sessionCandidates(this.#candidateExchanges, next.jar, next.inspectedOrigin, next.sessionSettings, next.settings.pinnedCookie, next.nowMs);
    } else {
      // The selection changes together with its analysis, so the two always match.
      this.#analysisFrom = this.#analysisInputs(next);
      next.selected = chooseCandidate(next.candidates, next.settings.pinnedCookie, this.#picked);
      next.analysis = next.selected ? analyzeCandidate(next.selected, next.sessionSettings, next.nowMs) : null;
      const knownSecretInputs = [next.selected, next.analysis?.format, next.sessionSettings.salt, next.sessionSettings.digest, next.sessionSettings.keyDerivation];
      if (!sameInputs(knownSecretInputs, this.#knownSecretFrom)) {
        this.#knownSecretFrom = knownSecretInputs;
        next.knownSecret = knownSecretTarget(next.selected, next.analysis, next.sessionSettings);
      }
    }
    this.#state = next;
    this.#scheduleNotify();
    this.#scheduleDerivation();
  }

  #notify(): void {
    this.#cancelNotify?.();
    this.#cancelNotify = null;
    for (const listener of [...this.#listeners]) listener();
  }

  #scheduleNotify(): void {
    if (this.#cancelNotify) return;
    this.#cancelNotify = this.#inTaskOfItsOwn(() => {
      this.#cancelNotify = null;
      this.#notify();
    });
  }
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}
