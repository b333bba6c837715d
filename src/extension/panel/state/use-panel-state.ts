import { createContext, useContext, useSyncExternalStore } from 'react';
import type { PanelState, PanelStore } from './panel-store';
import type { SecretAuditState } from './secret-audit';

export const PanelStoreContext = createContext<PanelStore | null>(null);

export function usePanelStore(): PanelStore {
  const store = useContext(PanelStoreContext);
  if (!store) throw new Error('usePanelStore: no PanelStoreContext provider');
  return store;
}

/** The panel's state; re-renders when it changes. */
export function usePanelState(): PanelState {
  const store = usePanelStore();
  return useSyncExternalStore(store.subscribe, store.getState);
}

/** "Check for a known secret": its progress and result; re-renders only its readers. */
export function useSecretAudit(): SecretAuditState {
  const store = usePanelStore();
  return useSyncExternalStore(store.subscribeSecretAudit, store.secretAuditState);
}
