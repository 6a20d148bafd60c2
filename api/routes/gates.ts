import { z } from 'zod';
import type { ApiContext } from '../context';
import type { Api } from '../route';
import { GateSchema } from '../schemas';

export function gateRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/gates',
    summary: 'The gates, their fee collector and yards with current occupancy',
    tag: 'gates',
    access: 'any',
    responses: { 200: { description: 'every gate', schema: z.array(GateSchema) } },
    handler: async () => ({ body: await ctx.services.stores().gates.list() }),
  });
}
