// Contract between the panel shell and the timeline (the timeline's author replaces the body).
import type { CapturedExchange, JarChange, SessionSettings } from '../../../core';

export interface TimelineViewProps {
  /** Every exchange the panel has received, backlog first, in `seq` order (never reordered). */
  exchanges: readonly CapturedExchange[];
  /** Exchanges the collector dropped because its buffer was full. */
  droppedExchanges: number;
  /** Cookie-jar changes for the inspected site (only with host access), in arrival order. */
  jarChanges: readonly JarChange[];
  /** The inspected origin's settings: cookie names, secrets, signer options, lifetime. */
  settings: SessionSettings;
  inspectedOrigin: string | null;
}

export function TimelineView(_props: TimelineViewProps) {
  return <p>Timeline: not built yet.</p>;
}
