import { z } from 'zod';
import { GOODS_KINDS, VEHICLE_KINDS } from '../../domain/fee-tariff';
import { GATE_CODE } from '../../domain/gates';
import type { ApiContext } from '../context';
import type { Api } from '../route';

const RateSchema = z
  .object({
    gate: z.union([z.literal('*'), z.string().regex(GATE_CODE, 'must be a gate code or *')]),
    direction: z.enum(['*', 'EXPORT', 'IMPORT']),
    vehicleKind: z.enum(VEHICLE_KINDS),
    goodsKind: z.enum(GOODS_KINDS),
    amountVnd: z.number().int().nonnegative().max(1_000_000_000),
  })
  .meta({ id: 'FeeRate' });

/** The tariff as data: rates by gate, direction, vehicle and goods kind, and the percent adjustments. */
export function feeRateRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/admin/fee-rates',
    summary: 'The tariff: every rate row and the percent adjustments',
    tag: 'admin',
    access: ['ADMIN', 'MANAGER', 'FEE_COLLECTOR'],
    responses: { 200: { description: 'the tariff', schema: z.looseObject({ rates: z.array(RateSchema) }) } },
    handler: async () => ({ body: await ctx.services.stores().fees.rates() }),
  });

  api.route({
    method: 'put',
    path: '/v1/admin/fee-rates',
    summary: 'Set one tariff rate (gate or *, direction or *, vehicle kind, goods kind); applies to invoices issued from now on',
    tag: 'admin',
    access: ['ADMIN'],
    body: RateSchema,
    responses: { 200: { description: 'the rate', schema: RateSchema } },
    handler: async ({ body, caller }) => {
      const stores = ctx.services.stores();
      if (body.gate !== '*') await stores.gates.requireGate(body.gate);
      await stores.fees.setRate(body, caller.id);
      return { body };
    },
  });
}
