import type { CrossingEvent } from './crossing-events';
import type { CrossingView } from './crossing-view';

/**
 * What a crossing's workflow hands the read model after each change (activities/crossing-store.ts writes it): its
 * view, who declared it, who submitted the current declaration version, and the history events since the last one.
 */
export interface CrossingSnapshot {
  view: CrossingView;
  declarantAccountId: string;
  /** Who submitted the current declaration version, and when. */
  submission: { by: string; at: string };
  /** History events since the last snapshot. */
  events: CrossingEvent[];
}
