import { z } from 'zod';
import { NOTIFICATION_EVENTS, SMS_LANGUAGES } from '../../domain/notifications';
import type { ApiContext } from '../context';
import type { Api } from '../route';

/**
 * The phone rule of a declaration (domain/declaration.ts), with one allowance: a `+` written unencoded in a query
 * string arrives as a space, so a leading space is read as the `+` it was.
 */
const PHONE_QUERY = /^[+ ]?[0-9]{8,15}$/;

const OutboxMessageSchema = z
  .object({
    messageId: z.string(),
    crossingId: z.string().nullable(),
    gate: z.string(),
    event: z.enum(NOTIFICATION_EVENTS),
    phone: z.string(),
    language: z.enum(SMS_LANGUAGES),
    body: z.string(),
    createdAt: z.string(),
    sentAt: z.string().nullable().describe('null while the message waits to be sent'),
    attempts: z.number().int(),
  })
  .meta({ id: 'OutboxMessage' });

/**
 * The development SMS outbox, mounted only outside production with the payment simulator: what the SMS adapter sent,
 * or under `npm start` (the development outbox, infra/sms.ts) would have sent, to drivers' phones.
 */
export function devNotificationRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/dev/notifications',
    summary: 'Development only: the SMS messages to drivers, newest first',
    tag: 'development',
    access: ['ADMIN'],
    query: z.object({
      phone: z.string().regex(PHONE_QUERY, 'must be a phone number such as +84912345678 (a + written as %2B)').optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    responses: { 200: { description: 'the messages, newest first', schema: z.object({ messages: z.array(OutboxMessageSchema) }) } },
    handler: async ({ query }) => {
      const phone = query.phone?.replace(/^ /, '+');
      return { body: { messages: await ctx.services.stores().notifications.outbox({ phone, limit: query.limit }) } };
    },
  });
}
