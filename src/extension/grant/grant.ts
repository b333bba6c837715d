// The grant page: where a DevTools page that cannot ask for host access itself (Firefox's) sends
// the user, because the browser shows the prompt only for a click in a page with `permissions`.
import browser from 'webextension-polyfill';

/** Only single-host patterns, as `hostPermissionPattern` makes them. */
const HOST_PATTERN = /^https?:\/\/[^/*\s]+\/\*$/;

const origins = (new URLSearchParams(location.search).get('origins') ?? '').split(' ').filter((o) => HOST_PATTERN.test(o));
const element = (id: string) => document.getElementById(id)!;
const allow = element('allow') as HTMLButtonElement;
const status = element('status');

element('hosts').textContent = origins.map((o) => new URL(o).hostname).join(', ') || '(nothing)';
allow.disabled = origins.length === 0;
allow.addEventListener('click', () => {
  browser.permissions.request({ origins }).then(
    (granted) => {
      status.textContent = granted ? 'Allowed. This window closes now.' : 'Not allowed. The panel keeps working from network traffic.';
      if (granted) window.close();
    },
    (error: unknown) => (status.textContent = `Could not ask: ${error instanceof Error ? error.message : String(error)}`),
  );
});
element('cancel').addEventListener('click', () => window.close());
