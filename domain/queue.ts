import { z } from 'zod';
import { parseDuration } from './durations';

/**
 * The virtual queue's rules (API.md, "The virtual queue"), as plain functions: the settings a gate keeps, who is
 * called next under the fairness limit, where a waiting truck stands, and when it may expect its call.
 */

/** Where a crossing stands in its gate's queue. NO_SHOW: it missed a call and waits again at the back. */
export const QUEUE_STATUSES = ['WAITING', 'CALLED', 'ARRIVED', 'NO_SHOW'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

/** The queue's part of a crossing view; `position` and `estimatedCallAt` only while the truck waits for its call. */
export const QueuePlaceSchema = z
  .object({
    status: z.enum(QUEUE_STATUSES),
    position: z.number().int().nullable(),
    estimatedCallAt: z.string().nullable(),
    arriveBy: z.string().nullable(),
  })
  .meta({ id: 'QueuePlace' });
export type QueuePlace = z.infer<typeof QueuePlaceSchema>;

export const MAX_ARRIVE_WITHIN_MS = 7 * 24 * 3600_000;
export const MAX_QUEUE_WAIT_MS = 90 * 24 * 3600_000;

const duration = (maxMs: number, longest: string) =>
  z.string().superRefine((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms < 1000)
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 duration of at least a second, such as PT2H' });
    else if (ms > maxMs) ctx.addIssue({ code: 'custom', message: `must be at most ${longest}` });
  });

/** An admin's queue settings for a gate (`PUT /v1/admin/gates/{code}` `queue`); each has a default. */
export const QueueSettingsSchema = z
  .object({
    arriveWithin: duration(MAX_ARRIVE_WITHIN_MS, 'P7D').default('PT2H'),
    priorityPerRegular: z.number().int('must be a whole number').min(0, 'must not be negative').max(50, 'is over 50').default(3),
    noShowRequeues: z.number().int('must be a whole number').min(0, 'must not be negative').max(10, 'is over 10').default(1),
    maxWait: duration(MAX_QUEUE_WAIT_MS, 'P90D').default('P30D'),
  })
  .meta({ id: 'QueueSettings' });
export type QueueSettingsInput = z.input<typeof QueueSettingsSchema>;
export type QueueSettingsText = z.output<typeof QueueSettingsSchema>;

/** The settings as the dispatcher uses them. */
export interface QueueSettings {
  arriveWithinMs: number;
  priorityPerRegular: number;
  noShowRequeues: number;
  maxWaitMs: number;
}

/**
 * The next calls, in order, for `room` free places: the oldest priority crossing while fewer than `perRegular`
 * priority calls were made since the last regular one (or when no regular crossing waits), else the oldest regular
 * one. `streak` is the priority calls made since the last regular call; the answer carries it on.
 */
export function pickCalls<T>(
  priority: readonly T[],
  regular: readonly T[],
  streak: number,
  perRegular: number,
  room: number,
): { calls: { entry: T; priority: boolean }[]; streak: number } {
  const calls: { entry: T; priority: boolean }[] = [];
  let p = 0;
  let r = 0;
  while (calls.length < room && (p < priority.length || r < regular.length)) {
    if (p < priority.length && (streak < perRegular || r >= regular.length)) {
      calls.push({ entry: priority[p++], priority: true });
      streak += 1;
    } else {
      calls.push({ entry: regular[r++], priority: false });
      streak = 0;
    }
  }
  return { calls, streak };
}

/** Every waiting crossing in the order it will be called, were the places there (the queue's positions). */
export function callOrder<T>(priority: readonly T[], regular: readonly T[], streak: number, perRegular: number): T[] {
  return pickCalls(priority, regular, streak, perRegular, priority.length + regular.length).calls.map((c) => c.entry);
}

/**
 * The same position as `callOrder` gives, counted instead of simulated, for one crossing: `before` is how many
 * waiting crossings of its own kind (priority or regular) are ahead of it, `priority` and `regular` how many of each
 * kind wait in all. The calls come in runs: first the priority crossings the streak leaves room for, then one regular,
 * then `perRegular` priority, one regular, and so on; either kind, once the other has run out, follows all at once.
 */
export function positionOf(
  entry: { priority: boolean; before: number },
  waiting: { priority: number; regular: number },
  streak: number,
  perRegular: number,
): number {
  const firstRun = Math.max(0, perRegular - streak);
  if (!entry.priority) {
    const priorityAhead = Math.min(waiting.priority, firstRun + entry.before * perRegular);
    return entry.before + priorityAhead + 1;
  }
  const regularAhead =
    entry.before < firstRun
      ? 0
      : perRegular === 0
        ? waiting.regular
        : Math.min(waiting.regular, 1 + Math.floor((entry.before - firstRun) / perRegular));
  return entry.before + regularAhead + 1;
}

/**
 * When a truck at `position` (1 is next) may expect its call, from the calls of the last hour at this gate and
 * direction; null when that says nothing (no call in the last hour) or the gate is closed with no reopening given.
 * While the gate is closed the count starts at its expected reopening.
 */
export function estimatedCallAt(
  position: number,
  callsLastHour: number,
  now: Date,
  closure: { expectedReopenAt: string | null } | null,
): string | null {
  if (callsLastHour <= 0) return null;
  const from = closure ? (closure.expectedReopenAt ? Math.max(Date.parse(closure.expectedReopenAt), now.getTime()) : null) : now.getTime();
  if (from === null) return null;
  return new Date(from + Math.round((position / callsLastHour) * 3600_000)).toISOString();
}

/** A queue's state as its dispatcher tells a crossing (the `queue.v1` signal): the entry's whole state, numbered. */
export interface QueueNotice {
  seq: number;
  status: QueueStatus | 'EXPIRED';
  calledAt: string | null;
  arriveBy: string | null;
  noShows: number;
  /** Why the crossing ends, for EXPIRED. */
  reason?: string;
}

export const QUEUE_EXPIRY_REASONS = {
  NO_SHOW_LIMIT: 'The truck did not arrive after its last call; it is not requeued again.',
  MAX_WAIT: 'The crossing waited in the queue past the gate’s longest wait without being called.',
} as const;
export type QueueExpiryReason = keyof typeof QUEUE_EXPIRY_REASONS;

export { DISPATCHER_WAKE_SIGNAL, QUEUE_SIGNAL } from './signal-names';

/** What a dispatcher workflow is started with: one per gate and direction. */
export interface DispatcherInput {
  gate: string;
  direction: 'EXPORT' | 'IMPORT';
}
