import { z } from 'zod';
import { freeText, text } from './text';

export const OUTCOMES = ['APPROVE', 'RETURN', 'DENY'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const FieldErrorSchema = z.object({
  path: text().trim().min(1, 'is required').max(200),
  message: freeText().trim().min(1, 'is required').max(500),
});

/** An officer's decision on a waiting step (API.md). RETURN needs a reason and the fields at fault; DENY a reason. */
export const DecisionSchema = z
  .object({
    outcome: z.enum(OUTCOMES),
    reason: freeText().trim().min(1).max(1000).optional(),
    fields: z.array(FieldErrorSchema).max(100).optional(),
    receiptNo: text().trim().min(1).max(50).optional(),
  })
  .superRefine((d, ctx) => {
    if (d.outcome !== 'APPROVE' && !d.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: `is required for ${d.outcome}` });
    }
    if (d.outcome === 'RETURN' && !d.fields?.length) {
      ctx.addIssue({ code: 'custom', path: ['fields'], message: 'must list the fields at fault for RETURN' });
    }
  })
  .meta({ id: 'Decision' });

export type Decision = z.infer<typeof DecisionSchema>;
