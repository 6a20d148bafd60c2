import { z } from 'zod';
import { CATEGORIES } from './category';
import { deadlineFault } from './deadline-policy';
import { parseDuration } from './durations';
import { GATE_CODE } from './gates';
import { DECISION_STEPS } from './steps';

const FAULT_SENTENCES = {
  NOT_POSITIVE: 'must be a positive ISO 8601 duration such as PT30M (no years or months)',
  TOO_LONG: 'must be at most 30 days (P30D)',
};

const duration = z
  .string()
  .max(40)
  .superRefine((text, ctx) => {
    const fault = deadlineFault(parseDuration(text));
    if (fault) ctx.addIssue({ code: 'custom', message: FAULT_SENTENCES[fault] });
  });

/** An admin's change: (gate or `*`, category or `*`, step) → `sla`, `expireAfter` (ISO 8601 durations). */
export const DeadlinePolicyChangeSchema = z
  .object({
    gate: z.union([z.literal('*'), z.string().regex(GATE_CODE, 'must be a gate code or *')]),
    category: z.union([z.literal('*'), z.enum(CATEGORIES)]),
    step: z.enum(DECISION_STEPS),
    sla: duration,
    expireAfter: duration,
  })
  .superRefine((row, ctx) => {
    const sla = parseDuration(row.sla);
    const expireAfter = parseDuration(row.expireAfter);
    if (sla && expireAfter && expireAfter < sla) {
      ctx.addIssue({ code: 'custom', path: ['expireAfter'], message: 'must not be shorter than sla' });
    }
  })
  .meta({ id: 'DeadlinePolicyChange' });
export type DeadlinePolicyChange = z.infer<typeof DeadlinePolicyChangeSchema>;
