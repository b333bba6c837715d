// The server-side session behind a Flask-Session id, as the companion last reported it. Pure.
import { companionReportOfExchange, formatDuration, type CapturedExchange, type CompanionReport } from '../../../core';
import type { Fact } from './cookie-facts';

/** The one line shown where a server-side id has no companion report. */
export const COMPANION_HINT =
  'The data behind this id is on the server. To see it here, add the companion to the app in development only: pip install ./companion, then SessionLens(app) with SESSION_LENS_ENABLED = True in debug mode.';

export interface ServerSessionSnapshot {
  report: CompanionReport;
  /** The request whose response carried the report. */
  exchange: CapturedExchange;
}

/**
 * The newest report (of `exchanges`, oldest first) whose store key is the id `sid` under the
 * report's own key prefix. Only exchanges that carry the header are decoded.
 */
export function latestServerSession(exchanges: readonly CapturedExchange[], sid: string): ServerSessionSnapshot | null {
  for (let i = exchanges.length - 1; i >= 0; i--) {
    const exchange = exchanges[i]!;
    const verdict = companionReportOfExchange(exchange);
    if (!verdict?.ok) continue;
    const { report } = verdict;
    if (report.store?.key === `${report.keyPrefix ?? ''}${sid}`) return { report, exchange };
  }
  return null;
}

const COOKIE_REASONS: Record<string, string> = {
  modified: 'the session was modified',
  refresh_each_request: 'permanent session with SESSION_REFRESH_EACH_REQUEST',
  should_set_cookie_override: "the interface's should_set_cookie",
  interface_ignores_should_set_cookie: 'this interface writes on every request',
  emptied: 'the session was emptied',
  deleted_by_interface: 'the interface deleted it',
  null_session: 'a null session',
  empty_session: 'the session is empty',
  not_modified_not_permanent: 'not modified, not permanent',
  not_modified_refresh_off: 'not modified, SESSION_REFRESH_EACH_REQUEST off',
  interface_skipped: 'the interface did not write it',
};

const COOKIE_ACTIONS = { written: 'written', deleted: 'deleted', left_alone: 'left alone' } as const;

/** What the companion reported, as label/value lines (every value is the server's, shown as text). */
export function serverFacts(report: CompanionReport): Fact[] {
  const facts: Fact[] = [{ label: 'Interface', value: report.sessionType ? `${report.interface} (SESSION_TYPE ${report.sessionType})` : report.interface }];
  if (report.store) {
    if (report.store.key !== null) facts.push({ label: 'Store key', value: report.store.key + (report.store.keyChanged ? ' (changed during the request)' : '') });
    if (report.store.write !== null) facts.push({ label: 'Store', value: report.store.write });
    if (report.store.ttl !== null) facts.push({ label: 'Store TTL', value: formatDuration(report.store.ttl) });
  }
  facts.push({ label: 'Cookie', value: `${COOKIE_ACTIONS[report.cookie.action]}: ${COOKIE_REASONS[report.cookie.reason] ?? report.cookie.reason}` });
  const flags = (Object.keys(report.flags) as (keyof CompanionReport['flags'])[]).filter((flag) => report.flags[flag]);
  facts.push({ label: 'Flags', value: flags.length ? flags.join(', ') : 'none' });
  return facts;
}
