import { z } from 'zod';
import { ActorSchema } from './crossing-view';
import { DecisionSchema } from './decision';
import { DeclarationSchema } from './declaration';
import { ArrivalSchema, CustomsChannelRequestSchema } from './gate-floor';
import { DECISION_STEPS } from './steps';
import { freeText } from './text';
import { TransshipmentRegistrationSchema } from './transshipment';

/**
 * What a crossing's workflow is sent, one schema per message: the API validates each request with the request part
 * and the workflow's message definitions (workflows/messages.ts) take the types inferred from the whole, so the two
 * cannot drift. Every state-changing message names the account that sent it.
 */
export const CancelRequestSchema = z.object({ reason: freeText().trim().min(1, 'is required').max(1000) }).meta({ id: 'CancelRequest' });
export const TransshipmentCompletionSchema = z
  .object({ note: freeText().trim().max(1000).optional() })
  .meta({ id: 'TransshipmentCompletion' });

const withActor = <T extends z.ZodRawShape>(shape: T) => z.object({ ...shape, actor: ActorSchema });

export const SubmissionSchema = withActor({ declaration: DeclarationSchema });
export const DecisionMessageSchema = withActor({ step: z.enum(DECISION_STEPS), decision: DecisionSchema });
export const TransshipmentRegistrationMessageSchema = withActor(TransshipmentRegistrationSchema.shape);
export const TransshipmentCompletionMessageSchema = withActor(TransshipmentCompletionSchema.shape);
export const OnlinePaymentMessageSchema = withActor({
  paymentId: z.string(),
  providerRef: z.string(),
  amountVnd: z.number().int(),
});
export const CancelMessageSchema = withActor(CancelRequestSchema.shape);
export const RetryIncidentMessageSchema = withActor({});
export const CustomsChannelMessageSchema = withActor(CustomsChannelRequestSchema.shape);
/** A matched plate read (sent by the API after it answered the device): the truck is at that point. */
export const ArrivalSignalSchema = ArrivalSchema;
/** The truck's first position in its gate's approach corridor (sent by the API once; repeats are ignored). */
export const ApproachingSignalSchema = z.object({ at: z.string(), segment: z.string().nullable() });
export const DeadlinePolicyChangedSignalSchema = z.object({ policyVersion: z.number().int(), changedBy: z.string() });

export type Submission = z.infer<typeof SubmissionSchema>;
export type DecisionMessage = z.infer<typeof DecisionMessageSchema>;
export type TransshipmentRegistrationMessage = z.infer<typeof TransshipmentRegistrationMessageSchema>;
export type TransshipmentCompletionMessage = z.infer<typeof TransshipmentCompletionMessageSchema>;
export type OnlinePaymentMessage = z.infer<typeof OnlinePaymentMessageSchema>;
export type CancelMessage = z.infer<typeof CancelMessageSchema>;
export type RetryIncidentMessage = z.infer<typeof RetryIncidentMessageSchema>;
export type CustomsChannelMessage = z.infer<typeof CustomsChannelMessageSchema>;
export type ArrivalSignal = z.infer<typeof ArrivalSignalSchema>;
export type ApproachingSignal = z.infer<typeof ApproachingSignalSchema>;
export type DeadlinePolicyChangedSignal = z.infer<typeof DeadlinePolicyChangedSignalSchema>;
