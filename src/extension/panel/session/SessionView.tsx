import { usePanelState } from '../state/use-panel-state';
import { siteExchanges } from '../state/derive';
import { CandidateList } from './CandidateList';
import { CookieDetails } from './CookieDetails';
import { HostAccessBar } from './HostAccessBar';
import { KnownSecretCheck } from './KnownSecretCheck';
import { SecretsForm } from './SecretsForm';

function EmptyState() {
  const state = usePanelState();
  const requests = siteExchanges(state.exchanges, state.inspectedOrigin).length;
  return (
    <div className="empty" id="no-session">
      <p>
        <strong>No session cookie seen yet{state.inspectedOrigin ? ` for ${state.inspectedOrigin}` : ''}.</strong>
      </p>
      <p>
        {requests === 0 ? 'No requests to this site captured since DevTools opened.' : `${requests} request${requests === 1 ? '' : 's'} to this site captured, none with a session cookie.`}{' '}
        Use the app (log in, reload the page){state.hostAccess === 'granted' ? '' : ', or allow reading cookies to see the ones set before DevTools opened'}.
        A session cookie with another name can be added under Advanced → Cookie name.
      </p>
    </div>
  );
}

export function SessionView() {
  const state = usePanelState();
  return (
    <div className="session-view">
      <HostAccessBar />
      {state.problem && (
        <p className="problem" role="alert">
          {state.problem}
        </p>
      )}
      <div className="columns">
        <aside className="side">
          <CandidateList />
          <SecretsForm />
          <KnownSecretCheck />
        </aside>
        <main className="main">{state.selected && state.analysis ? <CookieDetails candidate={state.selected} analysis={state.analysis} /> : <EmptyState />}</main>
      </div>
      <footer className="statusbar" id="inspected">
        <span>{state.inspectedOrigin ?? 'no inspected origin'}</span>
        <span>
          {state.exchanges.length} request{state.exchanges.length === 1 ? '' : 's'} captured
          {state.droppedExchanges > 0 ? ` (${state.droppedExchanges} older dropped)` : ''}
        </span>
        <span>{state.hostAccess === 'granted' ? 'reading the cookie jar' : 'from network traffic'}</span>
      </footer>
    </div>
  );
}
