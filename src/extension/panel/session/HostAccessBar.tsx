import { usePanelState, usePanelStore } from '../state/use-panel-state';

/** Offers the optional host permission for the inspected origin (asked from the click itself). */
export function HostAccessBar() {
  const store = usePanelStore();
  const { hostAccess, inspectedOrigin } = usePanelState();
  if (hostAccess !== 'not-granted' || inspectedOrigin === null) return null;
  return (
    <div className="infobar" id="host-access">
      <span>Reading from network traffic only: cookies set before DevTools opened appear once a request carries them.</span>
      <button type="button" className="primary" onClick={() => void store.requestHostAccess()}>
        Allow reading cookies on {inspectedOrigin}
      </button>
    </div>
  );
}
