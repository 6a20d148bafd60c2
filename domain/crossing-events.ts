import type { Actor } from './crossing-view';
import type { Step } from './steps';

/** One line of a crossing's history, written to PostgreSQL by the workflow's read-model activity. */
export interface CrossingEvent {
  seq: number;
  at: string;
  type: string;
  step?: Step;
  actor?: Actor;
  data?: Record<string, unknown>;
}
