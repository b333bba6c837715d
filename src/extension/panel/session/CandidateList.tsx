import { FLASK_DEFAULTS, formatById, type SessionCandidate } from '../../../core';
import { SOURCE_TEXT } from '../state/cookie-facts';
import { usePanelState, usePanelStore } from '../state/use-panel-state';

const REASON_TEXT: Record<Exclude<SessionCandidate['reason'], 'default-name'>, string> = {
  pinned: 'pinned',
  configured: 'configured name',
  content: 'looks like a session',
};

/** Why a cookie is listed; a default name is named after the framework it is the default of. */
function reasonText(c: SessionCandidate): string {
  const reason = c.reason === 'configured' && c.name === FLASK_DEFAULTS.cookieName ? 'default-name' : c.reason;
  if (reason !== 'default-name') return REASON_TEXT[reason];
  const framework = c.detection.format !== 'unknown' && formatById(c.detection.format).defaults.cookieName === c.name ? formatById(c.detection.format).terms.framework : 'Flask';
  return `${framework}'s default name`;
}

/** The cookies that may be the session: pick one to show, pin one per origin. */
export function CandidateList() {
  const store = usePanelStore();
  const { candidates, selected, settings } = usePanelState();
  return (
    <section className="candidates" aria-labelledby="candidates-heading">
      <h2 id="candidates-heading">
        Session cookies <span className="count">{candidates.length}</span>
      </h2>
      {candidates.length === 0 ? (
        <p className="muted">none yet</p>
      ) : (
        <ul>
          {candidates.map((c) => {
            const isSelected = selected?.name === c.name;
            const isPinned = settings.pinnedCookie === c.name;
            return (
              <li key={c.name} className={isSelected ? 'selected' : undefined} data-cookie={c.name}>
                <button type="button" className="candidate" aria-pressed={isSelected} onClick={() => store.selectCandidate(c.name)}>
                  <span className="name">{c.name}</span>
                  <span className="meta">
                    {c.detection.format === 'unknown' ? 'unknown format' : formatById(c.detection.format).terms.framework} · {SOURCE_TEXT[c.source]} ·{' '}
                    {reasonText(c)}
                    {c.deleted ? ' · deleted' : ''}
                  </span>
                </button>
                <button
                  type="button"
                  className="pin"
                  aria-pressed={isPinned}
                  aria-label={isPinned ? `Unpin ${c.name}` : `Pin ${c.name} as this site's session cookie`}
                  title={isPinned ? 'Pinned for this site: shown first. Click to unpin.' : "Always show this cookie for this site"}
                  onClick={() => store.pinCandidate(isPinned ? null : c.name)}
                >
                  {isPinned ? 'Pinned' : 'Pin'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
