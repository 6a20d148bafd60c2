import { z } from 'zod';
import { CATEGORIES } from '../../domain/category';
import { CROSSING_STATUSES, type CrossingStatus } from '../../domain/crossing-view';
import { CUSTOMS_CHANNELS } from '../../domain/gate-points';
import { GATE_CODE } from '../../domain/gates';
import { QUEUE_STATUSES } from '../../domain/queue';
import { AGENCY_ROLES, gateScope } from '../../domain/roles';
import { DECISION_STEPS } from '../../domain/steps';
import { text } from '../../domain/text';
import type { Caller } from '../route';
import type { ApiContext } from '../context';
import { stepsOf } from '../crossing-access';
import { forbidden } from '../problem';

/**
 * `GET /v1/crossings`, served from the read model. Agency roles get their work queue: their steps at their gates,
 * waiting on them (not on a declarant's correction), trucks called forward or arrived first where the gate keeps a
 * queue (API.md, "The virtual queue"), then priority first, then the longest waiting. Everyone else gets the
 * newest first. Paging is by keyset (an opaque cursor holding the last row's sort key), so a page never repeats or
 * skips a crossing as new ones arrive.
 */
export const ListQuerySchema = z.object({
  gate: z.string().regex(GATE_CODE, 'must be a gate code').optional(),
  status: z.enum(CROSSING_STATUSES).optional(),
  step: z.enum(DECISION_STEPS).optional(),
  overdue: z.enum(['true', 'false']).optional(),
  plate: text().trim().min(1).max(20).optional(),
  category: z.enum(CATEGORIES).optional(),
  /** Crossings whose side effect keeps failing (MANAGER and ADMIN). */
  incident: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

const ItemSchema = z.object({
  id: z.string(),
  gate: z.string(),
  direction: z.string(),
  category: z.enum(CATEGORIES),
  status: z.enum(CROSSING_STATUSES),
  currentStep: z.string().nullable(),
  stepStartedAt: z.string().nullable(),
  overdue: z.boolean(),
  plate: z.string(),
  declarationVersion: z.number().int(),
  /** Customs' channel (RED until set): a green crossing passes customs-inspection without an officer. */
  customsChannel: z.enum(CUSTOMS_CHANNELS),
  /** Where the truck stands in its gate's queue (called and arrived trucks head agencies' work queues); null where the gate keeps none. */
  queueStatus: z.enum(QUEUE_STATUSES).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  incident: z.object({ at: z.string(), step: z.string().nullable(), message: z.string(), retries: z.number().int() }).nullable(),
});

export const CrossingListSchema = z.object({ items: z.array(ItemSchema), nextCursor: z.string().nullable() }).meta({ id: 'CrossingList' });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isIso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
/**
 * The two sort keys a cursor may hold: a work queue's (called or arrived first, priority first, oldest wait, id) or a
 * list's (newest, id).
 */
const isQueueKey = (k: unknown[]): k is [boolean, boolean, string | null, string] =>
  k.length === 4 &&
  typeof k[0] === 'boolean' &&
  typeof k[1] === 'boolean' &&
  (k[2] === null || isIso(k[2])) &&
  typeof k[3] === 'string' &&
  UUID.test(k[3]);
/** A work-queue cursor handed out before queues existed has no `at_gate`: every truck was at the gate then. */
const isOlderQueueKey = (k: unknown[]): k is [boolean, string | null, string] =>
  k.length === 3 && typeof k[0] === 'boolean' && (k[1] === null || isIso(k[1])) && typeof k[2] === 'string' && UUID.test(k[2]);
const isQueueKeyOrOlder = (k: unknown[]): k is unknown[] => isQueueKey(k) || isOlderQueueKey(k);
const queueKey = (k: unknown[] | undefined) => (k && k.length === 3 ? [true, ...k] : k);
const isListKey = (k: unknown[]): k is [string, string] => k.length === 2 && isIso(k[0]) && typeof k[1] === 'string' && UUID.test(k[1]);

export async function listCrossings(ctx: ApiContext, caller: Caller, query: z.output<typeof ListQuerySchema>) {
  // Agencies work a queue: their steps, waiting on them (not on a declarant's correction), priority first.
  const isQueue = AGENCY_ROLES.includes(caller.role);
  const steps = isQueue ? stepsOf(caller.role) : undefined;
  if (steps && query.step && !steps.includes(query.step)) {
    throw forbidden(`${caller.role} works the ${steps.join(' and ')} queue, not ${query.step}.`);
  }
  if (query.incident && caller.role !== 'MANAGER' && caller.role !== 'ADMIN')
    throw forbidden('Incidents are listed for MANAGER and ADMIN.');
  const statuses: CrossingStatus[] | undefined = isQueue ? ['IN_PROGRESS'] : query.status ? [query.status] : undefined;
  const { items, nextKey } = await ctx.services.stores().readModel.list({
    // A gate the account does not serve holds nothing it may see: a filter naming one then finds nothing.
    gates: gateScope(caller),
    company: caller.role === 'DECLARANT' ? caller.companyTaxCode : undefined,
    steps: query.step ? [query.step] : steps,
    statuses: isQueue && query.status && query.status !== 'IN_PROGRESS' ? [] : statuses,
    gate: query.gate,
    category: query.category,
    overdue: query.overdue === undefined ? undefined : query.overdue === 'true',
    plate: query.plate,
    incident: query.incident === undefined ? undefined : query.incident === 'true',
    queue: isQueue,
    after: isQueue ? queueKey(ctx.cursors.decode(query.cursor, isQueueKeyOrOlder)) : ctx.cursors.decode(query.cursor, isListKey),
    limit: query.limit,
    guard: caller.guard,
  });
  return { items, nextCursor: nextKey ? ctx.cursors.encode(nextKey) : null };
}
