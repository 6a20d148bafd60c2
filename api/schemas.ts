import { z } from 'zod';
import { ROLES } from '../domain/roles';
import { HoldingAreaSchema, SegmentSchema, TrafficThresholdsSchema } from '../domain/tracking';
import { weakPasswordReason } from './auth/password-policy';
import { freeText, text } from '../domain/text';
import { TAX_CODE } from '../domain/identifiers';
import { GATE_CODE, FEE_COLLECTORS } from '../domain/gates';

/** Shapes of the API's own messages (the declaration lives in domain/, shared with the workflow). */

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    /** On a 503: the part really down. */
    dependency: z.enum(['postgres', 'temporal', 'worker']).optional(),
    /** On a 503 or a 409 that asks for a retry: whether a change was surely not made, or may still take effect. */
    outcome: z.enum(['NOT_CHANGED', 'UNKNOWN']).optional(),
  })
  .meta({ id: 'Problem' });

export const AccountViewSchema = z
  .object({
    id: z.uuid(),
    username: z.string(),
    role: z.enum(ROLES),
    gates: z.array(z.string()),
    companyTaxCode: z.string().nullable(),
    displayName: z.string().nullable(),
    disabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Account' });

export const LoginSchema = z.object({ username: text().min(1).max(100), password: freeText().min(1).max(200) }).meta({ id: 'Login' });

export const LoginResultSchema = z
  .object({ token: z.string(), expiresAt: z.string(), account: AccountViewSchema })
  .meta({ id: 'LoginResult' });

const username = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,49}$/, 'must be 3–50 lower-case letters, digits, dots, dashes or underscores');
const password = freeText().min(10, 'must be at least 10 characters').max(200);
const gates = z.array(z.string().regex(GATE_CODE, 'must be a gate code such as HUU_NGHI')).max(50);

export const NewAccountSchema = z
  .object({
    username,
    password,
    role: z.enum(ROLES),
    gates,
    companyTaxCode: z.string().regex(TAX_CODE, 'must be a 10-digit tax code, or 10 digits, a dash and 3 digits').nullish(),
    displayName: text().trim().min(1).max(100).nullish(),
  })
  .superRefine((account, ctx) => {
    if (account.role === 'DECLARANT' && !account.companyTaxCode) {
      ctx.addIssue({ code: 'custom', path: ['companyTaxCode'], message: 'is required for a DECLARANT account' });
    }
    const weak = account.password.length >= 10 ? weakPasswordReason(account.password, account.username) : undefined;
    if (weak) ctx.addIssue({ code: 'custom', path: ['password'], message: weak });
  })
  .meta({ id: 'NewAccount' });

export const AccountChangeSchema = z
  .object({ disabled: z.boolean().optional(), gates: gates.optional(), password: password.optional() })
  .strict()
  .meta({ id: 'AccountChange' });

/** A yard's places: occupied as counted by the yard cameras, reserved for admitted trucks not yet read entering. */
export const YardLoadSchema = z
  .object({ code: z.string(), capacity: z.number().int(), occupied: z.number().int(), reserved: z.number().int() })
  .meta({ id: 'YardLoad' });

/** Why a gate is closed and until when it is expected to be (API.md, "The virtual queue"). */
export const ClosureSchema = z
  .object({ reason: z.string(), expectedReopenAt: z.string().nullable(), closedAt: z.string() })
  .meta({ id: 'Closure' });

export const GateSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    province: z.string(),
    feeCollector: z.enum(FEE_COLLECTORS),
    /** Reads below this confidence are never matched to a crossing (the border guard's exception list). */
    plateConfidence: z.number(),
    yards: z.array(YardLoadSchema),
    /** The queue's settings, or null where the gate keeps no queue (every crossing may come at once). */
    queue: z
      .object({ arriveWithin: z.string(), priorityPerRegular: z.number().int(), noShowRequeues: z.number().int(), maxWait: z.string() })
      .nullable(),
    /** False while a manager has the gate closed: no truck is called. */
    open: z.boolean(),
    closure: ClosureSchema.nullable(),
    /** The approach corridor's road segments (order 1 furthest from the gate), where positions are placed. */
    corridor: z.array(SegmentSchema),
    holdingAreas: z.array(HoldingAreaSchema),
    /** The thresholds a segment's flow is judged by (SLOW, CONGESTED). */
    traffic: TrafficThresholdsSchema,
  })
  .meta({ id: 'Gate' });

export const IdParams = z.object({ id: z.uuid('must be a crossing or account id (a UUID)') });
/** A gate's routes: `/v1/gates/{code}/…`. */
export const GateParams = z.object({ code: z.string().regex(GATE_CODE, 'must be a gate code such as HUU_NGHI') });
