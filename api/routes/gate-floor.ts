import type { Request } from 'express';
import { z } from 'zod';
import { CrossingNotFound, UnknownReference } from '../../domain/errors';
import {
  BARRIER_ACTIONS,
  DEVICE_CODE,
  DEVICE_KINDS,
  GATE_POINTS,
  PlateReadSchema,
  READ_MATCHES,
  YARD_POINTS,
  withinClockWindow,
} from '../../domain/gate-floor';
import { GATE_CODE } from '../../domain/gates';
import { QueueSettingsSchema } from '../../domain/queue';
import { corridorProblems, HoldingAreaSchema, SegmentSchema, TrafficThresholdsSchema } from '../../domain/tracking';
import { gateScope, servesGate } from '../../domain/roles';
import { text } from '../../domain/text';
import { isoDateTime } from '../../domain/time';
import { CROSSING_STATUSES } from '../../domain/crossing-view';
import { storesOver } from '../../infra/db/stores';
import { publicDevice, type DeviceRow } from '../../infra/db/stores/devices';
import type { ApiContext } from '../context';
import { crossingFor } from '../crossing-access';
import { deviceSignatureMatches, newDeviceSecret } from '../device-signature';
import { conflict, invalidFields, notFound, unauthorized } from '../problem';
import { wakeQueue } from '../queue-wake';
import type { Api } from '../route';
import { GateSchema, ProblemSchema } from '../schemas';

/**
 * The gate floor's HTTP surface (API.md "Devices and plate reads", "Yards, customs channel"): admins register devices
 * and edit gates; devices post signed plate reads and are told what to do; border guards work the exception list.
 */

/** Yard codes as the gates name them (`HN-Y1`). */
const YARD_CODE = /^[A-Z0-9][A-Z0-9_-]{0,19}$/;

const DeviceSchema = z
  .object({
    code: z.string(),
    gate: z.string(),
    point: z.enum(GATE_POINTS),
    kind: z.enum(DEVICE_KINDS),
    yard: z.string().nullable(),
    disabled: z.boolean(),
    createdAt: z.string(),
    secretRotatedAt: z.string(),
  })
  .meta({ id: 'Device' });

const NewDeviceSchema = z
  .object({
    code: z.string().regex(DEVICE_CODE, 'must be 2–64 upper-case letters, digits, _ or -, starting with a letter or digit'),
    gate: z.string().regex(GATE_CODE, 'must be a gate code'),
    point: z.enum(GATE_POINTS),
    kind: z.enum(DEVICE_KINDS),
    /** The yard a YARD_ENTRY or YARD_EXIT device counts for; may be left out at a gate with one yard. */
    yard: z.string().regex(YARD_CODE, 'must be a yard code').optional(),
  })
  .strict()
  .meta({ id: 'NewDevice' });

const DeviceChangeSchema = z
  .object({ disabled: z.boolean().optional(), rotateSecret: z.boolean().optional() })
  .strict()
  .meta({ id: 'DeviceChange' });

const DeviceWithSecretSchema = z
  .object({ device: DeviceSchema, secret: z.string().optional().describe('shown once: at registration and at each rotation') })
  .meta({ id: 'DeviceWithSecret' });

const ReadAnswerSchema = z
  .object({ eventId: z.string(), crossingId: z.string().nullable(), action: z.enum(BARRIER_ACTIONS), reason: z.string() })
  .meta({ id: 'ReadAnswer' });

const GateEventSchema = z
  .object({
    eventId: z.string(),
    device: z.string(),
    gate: z.string(),
    point: z.enum(GATE_POINTS),
    plate: z.string().describe('as the camera read it'),
    at: z.string(),
    confidence: z.number(),
    imageRef: z.string().nullable(),
    receivedAt: z.string(),
    match: z.enum(READ_MATCHES),
    crossingId: z.string().nullable(),
    action: z.enum(BARRIER_ACTIONS),
    reason: z.string(),
    arrival: z.boolean(),
    repeatOf: z.string().nullable(),
    repeats: z.number().int(),
    onExceptionList: z.boolean(),
    matchedBy: z.object({ accountId: z.string(), username: z.string() }).nullable(),
    matchedAt: z.string().nullable(),
  })
  .meta({ id: 'GateEvent' });

const GateEventListSchema = z.object({ items: z.array(GateEventSchema), nextCursor: z.string().nullable() }).meta({ id: 'GateEventList' });

const GateEventQuerySchema = z.object({
  gate: z.string().regex(GATE_CODE, 'must be a gate code').optional(),
  unmatched: z.enum(['true', 'false']).optional(),
  from: isoDateTime().optional(),
  to: isoDateTime().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});

const GateChangeSchema = z
  .object({
    yards: z
      .array(
        z.object({
          code: z.string().regex(YARD_CODE, 'must be a yard code'),
          capacity: z.number().int().min(0).max(100_000),
        }),
      )
      .max(50)
      .optional(),
    plateConfidence: z.number().min(0).max(1).optional(),
    /** The gate keeps a queue with these settings (each has a default); null stops keeping one, once no truck waits. */
    queue: QueueSettingsSchema.nullable().optional(),
    /** The approach corridor, replaced whole: its road segments, order 1 furthest from the gate. */
    corridor: z.array(SegmentSchema).max(100).optional(),
    /** Where trucks wait when the road or the yards are full, replaced whole. */
    holdingAreas: z.array(HoldingAreaSchema).max(50).optional(),
    traffic: TrafficThresholdsSchema.optional(),
  })
  .strict()
  .superRefine((change, ctx) => {
    for (const problem of corridorProblems(change.corridor, change.holdingAreas)) {
      ctx.addIssue({
        code: 'custom',
        path: problem.path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
        message: problem.message,
      });
    }
  })
  .meta({ id: 'GateChange' });

const EventParams = z.object({
  eventId: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an event id'),
});
const CodeParams = z.object({
  code: z
    .string()
    .max(64)
    .regex(/^[A-Z0-9][A-Z0-9_-]*$/, 'must be a code'),
});

const problems = {
  400: { description: 'invalid request', schema: ProblemSchema },
  404: { description: 'not found', schema: ProblemSchema },
  409: { description: 'does not fit now', schema: ProblemSchema },
};

const isEventKey = (k: unknown[]): k is [string, string] =>
  k.length === 2 && typeof k[0] === 'string' && !Number.isNaN(Date.parse(k[0])) && typeof k[1] === 'string';

/** The device a signed request came from, set by its signature check. */
const devices = new WeakMap<Request, DeviceRow>();

export function gateFloorRoutes(api: Api, ctx: ApiContext): void {
  const seal = ctx.deviceSecrets;

  /**
   * A device's request is believed only when its device is registered, enabled, and its secret signed these bytes.
   * All three failures are one answer, so a caller learns nothing of which devices exist. The credentials come from
   * the process's cache (api/device-credentials.ts): a device disabled or rotated elsewhere is refused within 2 s.
   */
  async function checkDevice(req: Request): Promise<void> {
    const code = req.header('X-Device') ?? '';
    const credential = DEVICE_CODE.test(code) ? await ctx.devices.of(code) : undefined;
    const raw = (req as Request & { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    if (!credential || credential.device.disabled || !deviceSignatureMatches(credential.secret, raw, req.header('X-Signature'))) {
      throw unauthorized('The X-Device header names no enabled device, or the X-Signature header does not match the body.');
    }
    devices.set(req, credential.device);
  }

  api.route({
    method: 'post',
    path: '/v1/admin/devices',
    summary: 'Register a camera or barrier controller at a point of a gate; its secret is shown once',
    tag: 'gate floor',
    access: ['ADMIN'],
    body: NewDeviceSchema,
    responses: { 201: { description: 'the device and its secret', schema: DeviceWithSecretSchema }, ...problems },
    handler: async ({ body, caller }) => {
      const stores = ctx.services.stores();
      await stores.gates.requireGate(body.gate);
      const yard = await yardOf(body);
      const secret = newDeviceSecret();
      const device = await stores.em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        const created = await inTx.devices.create({ ...body, yard, secretSealed: seal.seal(secret), createdBy: caller.id });
        if (!created) throw conflict(`The device code ${body.code} is taken.`);
        await inTx.audit.append([
          {
            at: new Date(),
            actor: caller.id,
            action: 'DEVICE_REGISTERED',
            details: { code: body.code, gate: body.gate, point: body.point },
          },
        ]);
        return created;
      });
      // The secret is the client's alone: a repeat under the same Idempotency-Key answers the device without it.
      const shown = publicDevice(device);
      return {
        status: 201,
        body: { device: shown, secret },
        kept: { device: shown },
        headers: { Location: `/v1/admin/devices/${device.code}` },
      };
    },
  });

  /** A yard device's yard: the one named (of the device's gate), or the gate's only yard. Other points have none. */
  async function yardOf(body: z.output<typeof NewDeviceSchema>): Promise<string | null> {
    const stores = ctx.services.stores();
    if (!YARD_POINTS.includes(body.point)) {
      if (body.yard) throw new UnknownReference('yard', `is only for a YARD_ENTRY or YARD_EXIT device, not ${body.point}`);
      return null;
    }
    if (body.yard) {
      await stores.gates.requireYard(body.gate, body.yard, 'yard');
      return body.yard;
    }
    const yards = await stores.devices.yardsOf(body.gate);
    if (yards.length === 1) return yards[0];
    throw invalidFields([
      {
        path: 'yard',
        message: yards.length
          ? `is required: gate ${body.gate} has the yards ${yards.join(', ')}`
          : `gate ${body.gate} has no yard; an admin adds one with PUT /v1/admin/gates/${body.gate}`,
      },
    ]);
  }

  api.route({
    method: 'get',
    path: '/v1/admin/devices',
    summary: 'Every registered device (never its secret)',
    tag: 'gate floor',
    access: ['ADMIN'],
    responses: { 200: { description: 'the devices', schema: z.array(DeviceSchema) } },
    handler: async () => ({ body: await ctx.services.stores().devices.list() }),
  });

  api.route({
    method: 'patch',
    path: '/v1/admin/devices/{code}',
    summary: 'Disable or enable a device, or rotate its secret (the new one is shown once; the old one stops working)',
    tag: 'gate floor',
    access: ['ADMIN'],
    params: CodeParams,
    body: DeviceChangeSchema,
    responses: { 200: { description: 'the device (and its new secret when rotated)', schema: DeviceWithSecretSchema }, ...problems },
    handler: async ({ params, body, caller }) => {
      const secret = body.rotateSecret ? newDeviceSecret() : undefined;
      const device = await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        const changed = await inTx.devices.change(params.code, { disabled: body.disabled, secretSealed: secret && seal.seal(secret) });
        if (!changed) throw notFound(`There is no device ${params.code}.`);
        await inTx.audit.append([
          {
            at: new Date(),
            actor: caller.id,
            action: 'DEVICE_CHANGED',
            details: { code: params.code, disabled: body.disabled, secretRotated: secret !== undefined },
          },
        ]);
        return changed;
      });
      // Committed: this process refuses the old secret, or the disabled device, from its next request on.
      ctx.devices.forget(params.code);
      const shown = publicDevice(device);
      return { body: { device: shown, ...(secret ? { secret } : {}) }, kept: { device: shown } };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/gate-events',
    summary: "A device's plate read, signed with its secret (X-Device, X-Signature); answered from the read model with what a barrier does",
    tag: 'gate floor',
    access: 'public',
    before: checkDevice,
    body: PlateReadSchema,
    responses: {
      200: { description: 'what the device does: OPEN, HOLD (with the reason) or NONE (a camera)', schema: ReadAnswerSchema },
      400: { description: 'invalid read, or its time is more than 5 minutes from the server clock', schema: ProblemSchema },
      401: { description: 'unknown or disabled device, or a bad signature', schema: ProblemSchema },
      409: { description: "the eventId is another device's", schema: ProblemSchema },
    },
    handler: async ({ body, req }) => {
      const device = devices.get(req)!;
      const recorded = await ctx.services.stores().gateReads.record(device, body, withinClockWindow(body.at, Date.now()));
      if (recorded.kind === 'STALE') {
        throw invalidFields([{ path: 'at', message: 'must be within 5 minutes of the server clock; check the device clock' }]);
      }
      if (recorded.kind === 'FOREIGN') throw conflict(`The eventId ${body.eventId} was used by another device; nothing was recorded.`);
      if (recorded.kind === 'NEW' && recorded.delivery) {
        ctx.arrivals.soon(recorded.delivery);
        // A truck read leaving a yard frees its place: the queue may call the next one (not waited for).
        if (device.point === 'YARD_EXIT') void wakeQueue(ctx, device.gate);
      }
      return { body: recorded.answer, ...(recorded.kind === 'REPLAY' ? { replayed: true } : {}) };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/gate-events',
    summary: "Plate reads at the caller's gates, newest first; unmatched=true is the border guard's exception list",
    tag: 'gate floor',
    access: ['BORDER_GUARD', 'MANAGER', 'ADMIN'],
    query: GateEventQuerySchema,
    responses: { 200: { description: 'a page of reads', schema: GateEventListSchema }, ...problems },
    handler: async ({ query, caller }) => {
      const { items, nextKey } = await ctx.services.stores().gateReads.list({
        // A gate the caller does not serve holds nothing it may see: a filter naming one finds nothing.
        gates: gateScope(caller),
        gate: query.gate,
        unmatched: query.unmatched === undefined ? undefined : query.unmatched === 'true',
        from: query.from,
        to: query.to,
        after: ctx.cursors.decode(query.cursor, isEventKey),
        limit: query.limit,
      });
      return { body: { items, nextCursor: nextKey ? ctx.cursors.encode(nextKey) : null } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/gate-events/{eventId}/candidates',
    summary:
      "The crossings a read may be linked to: at the read's gate, open or cleared and not yet out, whose plate reads like the one given (the read's own by default), O/0, I/1 and B/8 alike",
    tag: 'gate floor',
    access: ['BORDER_GUARD', 'MANAGER', 'ADMIN'],
    params: EventParams,
    query: z.object({ plate: text().trim().min(1).max(20).optional() }),
    responses: {
      200: {
        description: 'the candidates, exact plates first, newest first',
        schema: z
          .array(
            z.object({
              crossingId: z.string(),
              plate: z.string(),
              status: z.enum(CROSSING_STATUSES),
              currentStep: z.string().nullable(),
              category: z.string(),
            }),
          )
          .meta({ id: 'LinkCandidates' }),
      },
      ...problems,
    },
    handler: async ({ params, query, caller }) => {
      const reads = ctx.services.stores().gateReads;
      const read = await reads.find(params.eventId);
      if (!read || !servesGate(caller, read.gate)) throw notFound(`There is no read ${params.eventId} at the gates you serve.`);
      return { body: await reads.candidatesFor(read.gate, query.plate ?? read.plate) };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/gate-events/{eventId}/match',
    summary: 'A border guard links a read of the exception list to a crossing by hand (its whole run of repeats with it)',
    tag: 'gate floor',
    access: ['BORDER_GUARD'],
    params: EventParams,
    body: z
      .object({ crossingId: z.uuid('must be a crossing id (a UUID)') })
      .strict()
      .meta({ id: 'GateEventMatch' }),
    responses: { 200: { description: 'the read, matched', schema: GateEventSchema }, ...problems },
    handler: async ({ params, body, caller }) => {
      const reads = ctx.services.stores().gateReads;
      const read = await reads.find(params.eventId);
      if (!read || !servesGate(caller, read.gate)) throw notFound(`There is no read ${params.eventId} at the gates you serve.`);
      const crossing = await crossingFor(ctx, caller, body.crossingId).catch((err) => {
        if (err instanceof CrossingNotFound)
          throw invalidFields([{ path: 'crossingId', message: 'is not a crossing at the gates you serve' }]);
        throw err;
      });
      if (read.match === 'MATCHED') {
        if (read.crossingId === body.crossingId) return { body: read };
        throw conflict(`The read is already matched to crossing ${read.crossingId}.`);
      }
      if (crossing.gate_code !== read.gate)
        throw conflict(`The crossing is at gate ${crossing.gate_code}; the read was made at ${read.gate}.`);
      const status = crossing.view.status;
      if (status !== 'IN_PROGRESS' && status !== 'AWAITING_CORRECTION' && status !== 'CLEARED') {
        throw conflict(`The crossing has ended: it is ${status}.`);
      }
      const linked = await reads.confirm(params.eventId, body.crossingId, { accountId: caller.id });
      if (linked.kind === 'TAKEN') throw conflict(`The read is already matched to crossing ${linked.crossingId}.`);
      if (linked.kind === 'LINKED' && linked.delivery) {
        ctx.arrivals.soon(linked.delivery);
        if (linked.delivery.arrival.point === 'YARD_EXIT') void wakeQueue(ctx, read.gate);
      }
      return { body: (await reads.find(params.eventId))! };
    },
  });

  api.route({
    method: 'put',
    path: '/v1/admin/gates/{code}',
    summary: "Change a gate: its yards' capacities (a new yard code adds a yard), its plate-confidence threshold and its queue",
    tag: 'gates',
    access: ['ADMIN'],
    params: z.object({ code: z.string().regex(GATE_CODE, 'must be a gate code') }),
    body: GateChangeSchema,
    responses: { 200: { description: 'the gate', schema: GateSchema }, ...problems },
    handler: async ({ params, body, caller }) => {
      const codes = (body.yards ?? []).map((y) => y.code);
      const twice = codes.findIndex((code, i) => codes.indexOf(code) !== i);
      if (twice >= 0) throw invalidFields([{ path: `yards.${twice}.code`, message: `names the yard ${codes[twice]} twice` }]);
      const gate = await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        const [before] = await inTx.gates.list(params.code);
        if (!before) throw notFound(`There is no gate ${params.code}.`);
        await inTx.gates.update(params.code, body);
        if (body.queue !== undefined) {
          const after = (await inTx.gates.list(params.code))[0];
          if (body.queue && !after.yards.length) {
            throw invalidFields([{ path: 'queue', message: 'needs a yard: the queue calls trucks as the yards have room' }]);
          }
          const waiting = body.queue === null ? await inTx.queue.openCount(params.code) : 0;
          if (waiting > 0) throw conflict(`${waiting} trucks are in the gate's queue; it keeps its queue until they are called.`);
          await inTx.queue.setSettings(params.code, body.queue);
        }
        await inTx.audit.append([{ at: new Date(), actor: caller.id, action: 'GATE_CHANGED', details: { gate: params.code, ...body } }]);
        return (await inTx.gates.list(params.code))[0];
      });
      // Placed afresh by this process at once, by the others within the cache's 30 s.
      ctx.corridors.forget(params.code);
      // New settings or room may call trucks now.
      if (body.queue || body.yards) void wakeQueue(ctx, params.code);
      return { body: gate };
    },
  });
}
