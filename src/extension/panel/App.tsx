import { useRef, useState, type KeyboardEvent } from 'react';
import { ErrorBoundary } from './ErrorBoundary';
import { SessionView } from './session/SessionView';
import { usePanelState } from './state/use-panel-state';
import { TimelineView } from './timeline/TimelineView';

const TABS = [
  { id: 'session', label: 'Session' },
  { id: 'timeline', label: 'Timeline' },
] as const;
type TabId = (typeof TABS)[number]['id'];

function Timeline() {
  const state = usePanelState();
  return (
    <TimelineView
      exchanges={state.exchanges}
      droppedExchanges={state.droppedExchanges}
      jarChanges={state.jarChanges}
      settings={state.sessionSettings}
      inspectedOrigin={state.inspectedOrigin}
    />
  );
}

export function App() {
  const [active, setActive] = useState<TabId>('session');
  // The timeline is mounted on first show and then kept (it holds its own view state).
  const [timelineMounted, setTimelineMounted] = useState(false);
  const tabRefs = useRef(new Map<TabId, HTMLButtonElement>());

  const show = (id: TabId, focus = false) => {
    setActive(id);
    if (id === 'timeline') setTimelineMounted(true);
    if (focus) tabRefs.current.get(id)?.focus();
  };

  const onTabKey = (event: KeyboardEvent) => {
    const index = TABS.findIndex((t) => t.id === active);
    const next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    show(TABS[(next + TABS.length) % TABS.length]!.id, true);
  };

  return (
    <div className="app">
      <div className="toolbar tabs" role="tablist" aria-label="Session Lens views" onKeyDown={onTabKey}>
        {TABS.map((tab) => (
          <button
            key={tab.id}
            ref={(el) => {
              if (el) tabRefs.current.set(tab.id, el);
            }}
            type="button"
            role="tab"
            id={`tab-${tab.id}`}
            aria-selected={active === tab.id}
            aria-controls={`tabpanel-${tab.id}`}
            tabIndex={active === tab.id ? 0 : -1}
            onClick={() => show(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="tabpanel-session" aria-labelledby="tab-session" hidden={active !== 'session'} className="tabpanel">
        <ErrorBoundary what="the Session view">
          <SessionView />
        </ErrorBoundary>
      </div>
      <div role="tabpanel" id="tabpanel-timeline" aria-labelledby="tab-timeline" hidden={active !== 'timeline'} className="tabpanel">
        {timelineMounted && (
          <ErrorBoundary what="the Timeline">
            <Timeline />
          </ErrorBoundary>
        )}
      </div>
    </div>
  );
}
