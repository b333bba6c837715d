/** The extension APIs of this page (types in extension-types.ts). */
import type { ExtensionApiLike } from './extension-types';
import { jarRelayClient, type PortLike } from './jar-relay';

/**
 * The extension APIs of this page. Where the page has `storage` but not `cookies` and
 * `permissions` (Firefox's DevTools pages get only what content scripts get), those two are
 * relayed through the background script.
 */
export function extensionApi(scope: object = globalThis): ExtensionApiLike {
  type Namespaces = Partial<ExtensionApiLike> & { runtime?: { connect?(info: { name: string }): PortLike } };
  const g = scope as { chrome?: Namespaces; browser?: Namespaces };
  const api = g.chrome?.storage ? g.chrome : g.browser?.storage ? g.browser : undefined;
  if (!api?.storage) throw new Error('Session Lens: the extension storage API is not available in this page.');
  if (api.permissions && api.cookies) return api as ExtensionApiLike;
  const runtime = api.runtime;
  if (!runtime?.connect) throw new Error('Session Lens: neither the cookies API nor runtime messaging is available in this page.');
  return { storage: api.storage, ...jarRelayClient((info) => runtime.connect!(info)) };
}
