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
    handler: async () => {
      const rows = await ctx.services.em.getConnection().execute<
        {
          code: string;
          name: string;
          province: string;
          fee_collector: string;
          yards: { code: string; capacity: number; occupied: number }[];
        }[]
      >(
        `select g.code, g.name, g.province, g.fee_collector,
                coalesce(json_agg(json_build_object('code', y.code, 'capacity', y.capacity, 'occupied',
                  (select count(*) from yard_reservation r
                    where r.gate_code = y.gate_code and r.yard_code = y.code and r.released_at is null)) order by y.code)
                  filter (where y.code is not null), '[]') as yards
           from gate g left join yard y on y.gate_code = g.code
          group by g.code order by g.code`,
      );
      return {
        body: rows.map((r) => ({ code: r.code, name: r.name, province: r.province, feeCollector: r.fee_collector, yards: r.yards })),
      };
    },
  });
}
