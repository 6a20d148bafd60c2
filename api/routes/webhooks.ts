import { randomBytes, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GATE_CODE } from '../../domain/gates';
import { ROLES, servesGate, type Role } from '../../domain/roles';
import { DELIVERY_STATUSES, SUBSCRIBER_ROLES, WEBHOOK_EVENTS } from '../../domain/webhooks';
import { UnknownReference } from '../../domain/errors';
import { AccountSchema } from '../../infra/db/entities/account';
import { storesOver } from '../../infra/db/stores';
import { publicSubscription, type SubscriptionRow } from '../../infra/db/stores/webhooks';
import { refusedTarget, targetPolicyOf } from '../../infra/webhook-post';
import type { ApiContext } from '../context';
import { conflict, invalidFields, notFound } from '../problem';
import type { Api, Caller } from '../route';
import { ProblemSchema } from '../schemas';
import { wakeSubscribers } from '../webhook-wake';

/**
 * Events out (API.md "Events out (webhooks)"): subscriptions, their delivery log, and a failed event retried by hand.
 * The deliveries themselves are the worker's (workflows/webhook-delivery.ts). A subscription belongs to one account:
 * a declarant's own (its company's crossings), or one an admin made for an agency's or a partner authority's system.
 * Only its owner and admins see it; to anyone else it does not exist (404).
 */

const gateCode = z.string().regex(GATE_CODE, 'must be a gate code such as HUU_NGHI');

const NewSubscriptionSchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(2000)
      .refine((u) => URL.canParse(u), 'must be an absolute URL, such as https://customs.example/hooks'),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1, 'must name at least one event')
      .refine((e) => new Set(e).size === e.length, 'must not name an event twice'),
    /** Only these gates' events; every gate the owner may see when left out. */
    gates: z.array(gateCode).min(1, 'must name at least one gate, or be left out').max(50).optional(),
    /** Whose subscription it is: required when an admin subscribes an agency's or partner's account, refused otherwise. */
    accountId: z.uuid('must be an account id (a UUID)').optional(),
  })
  .strict()
  .meta({ id: 'NewWebhookSubscription' });

const SubscriptionSchema = z
  .object({
    id: z.uuid(),
    accountId: z.uuid(),
    role: z.enum(ROLES),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    gates: z.array(z.string()).nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'WebhookSubscription' });

const CreatedSubscriptionSchema = SubscriptionSchema.extend({
  /** The HMAC key of every delivery's X-Signature: shown in this answer only. */
  secret: z.string(),
}).meta({ id: 'CreatedWebhookSubscription' });

const DeliverySchema = z
  .object({
    eventId: z.uuid(),
    event: z.enum(WEBHOOK_EVENTS),
    at: z.string(),
    crossingId: z.uuid().nullable(),
    gate: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    /** Pending behind an earlier event of the same crossing, which goes first. */
    waitingBehind: z.boolean(),
    deliveredAt: z.string().nullable(),
    attemptLog: z.array(
      z.object({ at: z.string(), statusCode: z.number().int().nullable(), error: z.string().nullable(), durationMs: z.number().int() }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

const SubscriptionParams = z.object({ id: z.uuid('must be a subscription id (a UUID)') });
const DeliveryParams = SubscriptionParams.extend({ eventId: z.uuid('must be an event id (a UUID)') });

/** A subscriber keeps a few receivers, not a fleet: every event is written once per subscription. */
const MAX_SUBSCRIPTIONS_PER_ACCOUNT = 20;

const problems = {
  400: { description: 'invalid request; every field at fault is listed', schema: ProblemSchema },
  404: { description: 'no such subscription among yours', schema: ProblemSchema },
};

export function webhookRoutes(api: Api, ctx: ApiContext): void {
  const policy = targetPolicyOf(ctx.config);

  /** The subscription, when the caller owns it or is an admin; to anyone else it is not there. */
  async function ownedSubscription(caller: Caller, id: string): Promise<SubscriptionRow> {
    const subscription = await ctx.services.stores().webhooks.find(id);
    if (!subscription || (caller.role !== 'ADMIN' && subscription.accountId !== caller.id)) {
      throw notFound('There is no webhook subscription with this id among yours.');
    }
    return publicSubscription(subscription);
  }

  /** Whose the new subscription is, and the company or gates it reaches; every field at fault at once. */
  async function ownerOf(caller: Caller, body: z.output<typeof NewSubscriptionSchema>) {
    const faults: { path: string; message: string }[] = [];
    let owner: { id: string; role: Role; gates: string[]; companyTaxCode: string | null; disabled: boolean } | undefined;
    if (caller.role === 'ADMIN') {
      if (!body.accountId) faults.push({ path: 'accountId', message: "is required: the agency's or partner's account the events are for" });
      else {
        owner = (await ctx.services.em.fork().findOne(AccountSchema, { id: body.accountId })) ?? undefined;
        if (!owner) faults.push({ path: 'accountId', message: 'is not an account' });
        else if (owner.role === 'DECLARANT')
          faults.push({ path: 'accountId', message: "is a declarant's: declarants subscribe themselves" });
        else if (!SUBSCRIBER_ROLES.includes(owner.role))
          faults.push({ path: 'accountId', message: `is a ${owner.role} account, which takes no webhooks` });
        else if (owner.disabled) faults.push({ path: 'accountId', message: 'is disabled' });
      }
    } else {
      if (body.accountId !== undefined && body.accountId !== caller.id) {
        faults.push({ path: 'accountId', message: 'only admins subscribe another account' });
      }
      owner = caller;
    }
    const refused = URL.canParse(body.url) ? refusedTarget(new URL(body.url), policy) : undefined;
    if (refused) faults.push({ path: 'url', message: refused });
    if (body.gates) {
      await ctx.services
        .stores()
        .gates.requireGates(body.gates, (i) => `gates.${i}`)
        .catch((err: unknown) => {
          if (!(err instanceof UnknownReference)) throw err;
          faults.push({ path: err.path, message: err.problem });
        });
      // A subscriber hears only of the gates its account serves, as the API shows it only their crossings.
      if (owner) {
        body.gates.forEach((gate, i) => {
          if (!servesGate(owner!, gate)) faults.push({ path: `gates.${i}`, message: `is not a gate the account serves` });
        });
      }
    }
    if (faults.length) throw invalidFields(faults);
    return owner!;
  }

  api.route({
    method: 'post',
    path: '/v1/webhooks',
    summary:
      "Subscribe a URL to events: an admin for an agency's or partner authority's account (accountId), a declarant for its company's crossings; the secret is shown once",
    tag: 'webhooks',
    access: ['ADMIN', 'DECLARANT'],
    body: NewSubscriptionSchema,
    responses: {
      201: { description: 'the subscription and its signing secret', schema: CreatedSubscriptionSchema },
      409: { description: 'the account has as many subscriptions as it may keep', schema: ProblemSchema },
      ...problems,
    },
    handler: async ({ body, caller }) => {
      const owner = await ownerOf(caller, body);
      const secret = `whsec_${randomBytes(32).toString('base64url')}`;
      const created = await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        if ((await inTx.webhooks.countOwned(owner.id)) >= MAX_SUBSCRIPTIONS_PER_ACCOUNT) {
          throw conflict(`The account keeps ${MAX_SUBSCRIPTIONS_PER_ACCOUNT} subscriptions already; delete one first.`);
        }
        const subscription = await inTx.webhooks.create({
          id: randomUUID(),
          accountId: owner.id,
          role: owner.role,
          companyTaxCode: owner.role === 'DECLARANT' ? owner.companyTaxCode : null,
          url: body.url,
          events: body.events,
          gates: body.gates ? [...new Set(body.gates)] : null,
          secretSealed: ctx.webhookSecrets.seal(secret),
          createdBy: caller.id,
        });
        // The URL is not audited: it may carry the receiver's own token.
        await inTx.audit.append([
          {
            at: new Date(),
            actor: caller.id,
            action: 'WEBHOOK_SUBSCRIBED',
            details: { subscriptionId: subscription.id, accountId: owner.id, events: body.events, gates: subscription.gates },
          },
        ]);
        return publicSubscription(subscription);
      });
      // The secret is the client's alone: a repeat under the same Idempotency-Key answers without it.
      return { status: 201, body: { ...created, secret }, kept: created, headers: { Location: `/v1/webhooks/${created.id}` } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/webhooks',
    summary: "Your webhook subscriptions (an admin's list has everyone's), newest first; never their secrets",
    tag: 'webhooks',
    access: 'any',
    query: z.object({ accountId: z.uuid('must be an account id (a UUID)').optional() }),
    responses: { 200: { description: 'the subscriptions', schema: z.array(SubscriptionSchema) }, ...problems },
    handler: async ({ caller, query }) => {
      const owner = caller.role === 'ADMIN' ? query.accountId : caller.id;
      return { body: await ctx.services.stores().webhooks.list(owner) };
    },
  });

  api.route({
    method: 'delete',
    path: '/v1/webhooks/{id}',
    summary: 'Delete a subscription: nothing more is sent to it, pending events included',
    tag: 'webhooks',
    access: 'any',
    params: SubscriptionParams,
    responses: { 200: { description: 'the subscription, deleted', schema: SubscriptionSchema }, ...problems },
    handler: async ({ params, caller }) => {
      const subscription = await ownedSubscription(caller, params.id);
      await ctx.services.stores().em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        if (!(await inTx.webhooks.remove(params.id, caller.id)))
          throw notFound('There is no webhook subscription with this id among yours.');
        await inTx.audit.append([
          {
            at: new Date(),
            actor: caller.id,
            action: 'WEBHOOK_DELETED',
            details: { subscriptionId: params.id, accountId: subscription.accountId },
          },
        ]);
      });
      // Its workflow, if one runs, finds it gone at its next round and ends.
      return { body: subscription };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/webhooks/{id}/deliveries',
    summary: "A subscription's delivery log, newest first: each event's status, every attempt, and when the next one is due",
    tag: 'webhooks',
    access: 'any',
    params: SubscriptionParams,
    query: z.object({
      status: z.enum(DELIVERY_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    responses: { 200: { description: 'the deliveries', schema: z.array(DeliverySchema) }, ...problems },
    handler: async ({ params, query, caller }) => {
      await ownedSubscription(caller, params.id);
      return { body: await ctx.services.stores().webhooks.deliveries(params.id, query) };
    },
  });

  api.route({
    method: 'post',
    path: '/v1/webhooks/{id}/deliveries/{eventId}/retry',
    summary: 'Deliver a FAILED event again, with a new retry window',
    tag: 'webhooks',
    access: 'any',
    params: DeliveryParams,
    responses: {
      200: { description: 'the event, pending again', schema: DeliverySchema },
      409: { description: 'the event is not FAILED (pending or delivered)', schema: ProblemSchema },
      ...problems,
    },
    handler: async ({ params, caller }) => {
      await ownedSubscription(caller, params.id);
      const stores = ctx.services.stores();
      const retried = await stores.em.transactional(async (tx) => {
        const inTx = storesOver(tx);
        const outcome = await inTx.webhooks.retry(params.id, params.eventId);
        if (outcome === 'retried') {
          await inTx.audit.append([
            {
              at: new Date(),
              actor: caller.id,
              action: 'WEBHOOK_RETRIED',
              details: { subscriptionId: params.id, eventId: params.eventId },
            },
          ]);
        }
        return outcome;
      });
      if (retried === 'not-found') throw notFound('This subscription has no event with this id.');
      if (retried === 'not-failed') throw conflict('Only a FAILED event is retried by hand; this one is pending or delivered.');
      void wakeSubscribers(ctx, [params.id]);
      const [delivery] = await stores.webhooks.deliveries(params.id, { eventId: params.eventId, limit: 1 });
      return { body: delivery };
    },
  });
}
