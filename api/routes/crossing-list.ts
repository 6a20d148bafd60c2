import { z } from 'zod';
import { CATEGORIES } from '../../domain/category';
import { CROSSING_STATUSES, type Incident } from '../../domain/crossing-view';
import { GATE_CODE } from '../../domain/gates';
import { normalisePlate } from '../../domain/identifiers';
import { AGENCY_ROLES } from '../../domain/roles';
import { DECISION_STEPS } from '../../domain/steps';
import { text } from '../../domain/text';
import type { Account } from '../../infra/db/entities/account';
import type { ApiContext } from '../context';
import { stepsOf } from '../crossing-access';
import { forbidden } from '../problem';

/**
 * `GET /v1/crossings`, served from the read model. Agency roles get their work queue: their steps at their gates,
 * waiting on them (not on a declarant's correction), priority first, then the longest waiting. Everyone else gets the
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
  createdAt: z.string(),
  updatedAt: z.string(),
  incident: z.object({ at: z.string(), step: z.string().nullable(), message: z.string(), retries: z.number().int() }).nullable(),
});

export const CrossingListSchema = z.object({ items: z.array(ItemSchema), nextCursor: z.string().nullable() }).meta({ id: 'CrossingList' });

interface Row {
  id: string;
  gate_code: string;
  direction: string;
  category: (typeof CATEGORIES)[number];
  status: (typeof CROSSING_STATUSES)[number];
  current_step: string | null;
  step_started_at: Date | string | null;
  overdue: boolean;
  plate: string;
  declaration_version: number;
  created_at: Date | string;
  updated_at: Date | string;
  incident: Incident | null;
}

const iso = (value: Date | string) => new Date(value).toISOString();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isIso = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));
/** The two sort keys a cursor may hold: a work queue's (priority first, oldest wait, id) or a list's (newest, id). */
const isQueueKey = (k: unknown[]): k is [boolean, string | null, string] =>
  k.length === 3 && typeof k[0] === 'boolean' && (k[1] === null || isIso(k[1])) && typeof k[2] === 'string' && UUID.test(k[2]);
const isListKey = (k: unknown[]): k is [string, string] => k.length === 2 && isIso(k[0]) && typeof k[1] === 'string' && UUID.test(k[1]);

export async function listCrossings(ctx: ApiContext, caller: Account, query: z.output<typeof ListQuerySchema>) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  const addIn = (column: string, values: readonly string[]) =>
    values.length ? add(`${column} in (${values.map(() => '?').join(', ')})`, ...values) : add('false');

  const isQueue = AGENCY_ROLES.includes(caller.role);
  if (caller.role === 'DECLARANT') add('company_tax_code = ?', caller.companyTaxCode);
  if (caller.role !== 'ADMIN') {
    // A gate the account does not serve holds nothing it may see: the filter then finds nothing.
    addIn('gate_code', caller.gates);
  }
  if (isQueue) {
    const steps = stepsOf(caller.role);
    if (query.step && !steps.includes(query.step))
      throw forbidden(`${caller.role} works the ${steps.join(' and ')} queue, not ${query.step}.`);
    addIn('current_step', query.step ? [query.step] : steps);
    add(`status = 'IN_PROGRESS'`);
  } else if (query.step) {
    add('current_step = ?', query.step);
  }
  if (query.gate) add('gate_code = ?', query.gate);
  if (query.status) add('status = ?', query.status);
  if (query.category) add('category = ?', query.category);
  if (query.overdue) add('overdue = ?', query.overdue === 'true');
  if (query.plate) add('plate = ?', normalisePlate(query.plate));
  if (query.incident) {
    if (caller.role !== 'MANAGER' && caller.role !== 'ADMIN') throw forbidden('Incidents are listed for MANAGER and ADMIN.');
    add(query.incident === 'true' ? 'incident is not null' : 'incident is null');
  }

  // Sort keys: the queue by (priority first, oldest wait, id); everything else by (newest, id).
  let order: string;
  if (isQueue) {
    const after = ctx.cursors.decode(query.cursor, isQueueKey);
    order = `(category = 'PRIORITY') desc, step_started_at asc, id asc`;
    if (after)
      add(
        `((category = 'PRIORITY') < ? or ((category = 'PRIORITY') = ? and (step_started_at, id) > (?, ?)))`,
        after[0],
        after[0],
        after[1],
        after[2],
      );
  } else {
    const after = ctx.cursors.decode(query.cursor, isListKey);
    order = 'created_at desc, id desc';
    if (after) add('(created_at, id) < (?, ?)', after[0], after[1]);
  }

  const rows = await ctx.services.em.getConnection().execute<Row[]>(
    `select id, gate_code, direction, category, status, current_step, step_started_at, overdue, plate, declaration_version, created_at, updated_at, incident
       from crossing ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${order} limit ?`,
    [...params, query.limit + 1],
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  const nextKey =
    rows.length > query.limit && last
      ? isQueue
        ? [last.category === 'PRIORITY', last.step_started_at && iso(last.step_started_at), last.id]
        : [iso(last.created_at), last.id]
      : undefined;
  return {
    items: page.map((r) => ({
      id: r.id,
      gate: r.gate_code,
      direction: r.direction,
      category: r.category,
      status: r.status,
      currentStep: r.current_step,
      stepStartedAt: r.step_started_at ? iso(r.step_started_at) : null,
      overdue: r.overdue,
      plate: r.plate,
      declarationVersion: r.declaration_version,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      incident: r.incident,
    })),
    nextCursor: nextKey ? ctx.cursors.encode(nextKey) : null,
  };
}
