import { z } from 'zod';
import { DECISION_STEPS } from '../../domain/steps';
import { GATE_CODE } from '../../domain/gates';
import { servesGate } from '../../domain/roles';
import { isoDateTime } from '../../domain/time';
import type { ApiContext } from '../context';
import { invalidFields, notFound } from '../problem';
import type { Api } from '../route';
import { YardLoadSchema } from '../schemas';

const DAY_MS = 86_400_000;
/** The longest period one answer covers: a quarter, enough for a trend, small enough to answer at once. */
const MAX_PERIOD_DAYS = 92;

const StatsQuery = z.object({ from: isoDateTime().optional(), to: isoDateTime().optional() });
const Spread = z.object({ count: z.number().int(), p50: z.number().nullable(), p90: z.number().nullable() });
const byStep = <T extends z.ZodType>(value: T) => z.partialRecord(z.enum(DECISION_STEPS), value);

export const GateStatsSchema = z
  .object({
    gate: z.string(),
    from: z.string(),
    to: z.string(),
    declared: z.number().int(),
    cleared: z.number().int(),
    denied: z.number().int(),
    expired: z.number().int(),
    cancelled: z.number().int(),
    open: z.object({ byStep: byStep(z.number().int()) }),
    overdue: z.object({ byStep: byStep(z.number().int()) }),
    dwell: z.object({ byStep: byStep(Spread) }),
    endToEnd: Spread,
    clearedPerHour: z.array(z.object({ hour: z.string(), n: z.number().int() })),
    yards: z.array(YardLoadSchema),
    queue: z.object({ waiting: z.number().int(), called: z.number().int() }).nullable(),
    queueWait: Spread.nullable(),
  })
  .meta({ id: 'GateStats' });

/**
 * `GET /v1/stats/gates/{code}`: the Time Release Study measures of a gate, live. Counts and durations are over the
 * period (default: the last 24 hours); `open` and `overdue` are now. Durations are seconds.
 */
export function gateStatsRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/stats/gates/{code}',
    summary: "A gate's measures: declared and ended in the period, open and overdue now, dwell per step, end to end, cleared per hour",
    tag: 'stats',
    access: ['MANAGER', 'ADMIN'],
    params: z.object({ code: z.string().regex(GATE_CODE, 'must be a gate code') }),
    query: StatsQuery,
    responses: {
      200: { description: 'the measures', schema: GateStatsSchema },
      404: { description: 'no such gate among those the account serves' },
    },
    handler: async ({ params, query, caller }) => {
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - DAY_MS);
      if (from >= to) throw invalidFields([{ path: 'query.from', message: 'must be before to' }]);
      if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY_MS)
        throw invalidFields([{ path: 'query.from', message: `the period must be at most ${MAX_PERIOD_DAYS} days` }]);
      if (!servesGate(caller, params.code)) throw notFound(`No gate ${params.code} among the gates you serve.`);
      const stores = ctx.services.stores();
      const [gate] = await stores.gates.list(params.code);
      if (!gate) throw notFound(`No gate ${params.code}.`);
      const measures = await stores.measures.measure(gate.code, from, to);
      // The queue's measures where the gate keeps a queue: trucks waiting and called now, the wait to the first call.
      const queue = gate.queue ? await stores.queue.measures(gate.code, from, to) : null;
      return {
        body: {
          gate: gate.code,
          from: from.toISOString(),
          to: to.toISOString(),
          ...measures,
          // Occupancy from the yard cameras, reservations from admitted trucks not yet in a yard.
          yards: gate.yards,
          queue: queue && { waiting: queue.waiting, called: queue.called },
          queueWait: queue && queue.queueWait,
        },
      };
    },
  });
}
