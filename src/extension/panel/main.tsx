// Placeholder panel UI: lists what the platform layer delivers. The real UI replaces this file;
// the data plumbing lives in ../platform and stays.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { CapturedExchange } from '../../core/exchange';
import { inspectedOrigin, inspectedTabId } from '../platform/inspected-window';
import { subscribeExchanges } from '../platform/panel-side';

function setCookies(exchange: CapturedExchange): string[] {
  return exchange.responseHeaders.filter((h) => h.name.toLowerCase() === 'set-cookie').map((h) => h.value);
}

function App() {
  const [exchanges, setExchanges] = useState<CapturedExchange[]>([]);
  const [dropped, setDropped] = useState(0);
  const [origin, setOrigin] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    const refreshOrigin = () => {
      inspectedOrigin().then(
        (value) => active && setOrigin(value),
        (error: unknown) => console.warn('[session-lens] could not read the inspected origin', error),
      );
    };
    refreshOrigin();
    const stop = subscribeExchanges((batch, info) => {
      setDropped(info.dropped);
      if (batch.some((e) => e.resourceType === 'document')) refreshOrigin();
      // Ignore anything already listed (a re-subscription starts with the whole backlog again).
      setExchanges((prev) => {
        const last = prev.length > 0 ? prev[prev.length - 1]!.seq : 0;
        const fresh = batch.filter((e) => e.seq > last);
        return fresh.length > 0 ? [...prev, ...fresh] : prev;
      });
    });
    return () => {
      active = false;
      stop();
    };
  }, []);

  return (
    <>
      <h1>Session</h1>
      <p id="inspected">
        Tab {inspectedTabId()} · {origin ?? '(no origin)'}
      </p>
      <p id="status">
        {exchanges.length} exchange(s){dropped > 0 ? `, ${dropped} older dropped` : ''}
      </p>
      <ul id="exchanges">
        {exchanges.map((exchange) => (
          <li key={exchange.seq} data-seq={exchange.seq}>
            <span className="summary">{`${exchange.method} ${exchange.url} ${exchange.status}`}</span>
            {setCookies(exchange).length > 0 && (
              <ul className="set-cookie">
                {setCookies(exchange).map((value, i) => (
                  <li key={i}>
                    <code>{value}</code>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}

const container = document.getElementById('root');
if (!container) throw new Error('panel.html has no #root element');
createRoot(container).render(<App />);
