import { createContext, useContext, useSyncExternalStore } from 'react';
import type { PanelState, PanelStore } from './panel-store';

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
