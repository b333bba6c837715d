import { useEffect, useState, useSyncExternalStore } from 'react';
import { loadTimelineMark, saveTimelineMark } from '../../platform/exchange-persistence';
import { TimelineController, type TimelineInputs, type TimelineSnapshot } from './timeline-controller';

/** Live exchanges reach the grid at most this often. */
const LIVE_INTERVAL_MS = 100;
/** A rebuild slice takes about this long, so the panel keeps drawing (one frame at 60 Hz is 16.7 ms). */
const SLICE_BUDGET_MS = 8;

/** Runs each callback on its own task, queued by a message post: nested zero-delay timers would wait 4 ms each. */
function messageTasks(): (run: () => void) => void {
  const channel = new MessageChannel();
  const queue: (() => void)[] = [];
  channel.port1.onmessage = () => queue.shift()?.();
  return (run) => {
    queue.push(run);
    channel.port2.postMessage(null);
  };
}

export interface TimelineModel extends TimelineSnapshot {
  clear(): void;
}

/** The timeline for the panel's inputs (see TimelineController); `tabId` keys the stored Clear mark. */
export function useTimeline(inputs: TimelineInputs, tabId: number | null): TimelineModel {
  const [controller] = useState(() => {
    const options = { minIntervalMs: LIVE_INTERVAL_MS, sliceBudgetMs: SLICE_BUDGET_MS, nextTask: messageTasks() };
    return new TimelineController(
      tabId === null ? options : { ...options, loadMark: () => loadTimelineMark(tabId), saveMark: (seq) => saveTimelineMark(tabId, seq) },
    );
  });
  const { exchanges, jarChanges, settings, preserveLog } = inputs;
  useEffect(() => {
    controller.setInputs({ exchanges, jarChanges, settings, preserveLog });
  }, [controller, exchanges, jarChanges, settings, preserveLog]);
  useEffect(() => () => controller.dispose(), [controller]);
  const snapshot = useSyncExternalStore(controller.subscribe, controller.getSnapshot);
  return { ...snapshot, clear: () => controller.clear() };
}
