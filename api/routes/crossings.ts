import { z } from 'zod';
import { DeclarationSchema } from '../../domain/declaration';
import { GateSchema as GateEntity } from '../../infra/db/entities/gate';
import type { Account } from '../../infra/db/entities/account';
import type { ApiContext } from '../context';
import { CrossingClient } from '../crossing-client';
import { badRequest, forbidden, notFound } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';

const CrossingViewSchema = z.looseObject({ id: z.string(), status: z.string(), currentStep: z.string().nullable() }).meta({ id: 'CrossingView' });

interface CrossingAccessRow {
  gate_code: string;
  company_tax_code: string;
}

/**
 * Who may see a crossing: the declarant company that owns it (any other company gets 404, so existence is not
 * revealed), and accounts serving its gate.
 */
function checkAccess(caller: Account, row: CrossingAccessRow | undefined): void {
  if (!row) throw notFound('There is no crossing with this id.');
  if (caller.role === 'DECLARANT') {
    if (row.company_tax_code !== caller.companyTaxCode) throw notFound('There is no crossing with this id.');
    return;
  }
  if (caller.role === 'ADMIN' || !caller.gates.includes(row.gate_code)) {
    throw forbidden(`Your account does not serve gate ${row.gate_code}.`);
  }
}

export function crossingRoutes(api: Api, ctx: ApiContext): void {
  const crossings = new CrossingClient(ctx.temporal, ctx.config.taskQueue);

  api.route({
    method: 'post',
    path: '/v1/crossings',
    summary: 'Declare a crossing (the declaration is validated field by field; all errors at once)',
    tag: 'crossings',
    access: ['DECLARANT'],
    body: DeclarationSchema,
    responses: {
      201: { description: 'the crossing, started', schema: CrossingViewSchema },
      400: { description: 'invalid declaration', schema: ProblemSchema },
      403: { description: 'the gate is not served by this account', schema: ProblemSchema },
    },
    handler: async ({ body, caller, req }) => {
      const gate = await ctx.services.em.fork().findOne(GateEntity, { code: body.gate });
      if (!gate) throw badRequest('The request is invalid; every field at fault is listed.', [{ path: 'gate', message: `${body.gate} is not a known gate` }]);
      if (!caller.gates.includes(body.gate)) throw forbidden(`Your account does not declare at gate ${body.gate}.`);
      const key = req.header('Idempotency-Key') ?? undefined;
      const view = await crossings.start(body, { accountId: caller.id, role: caller.role }, key);
      return { status: 201, body: view, headers: { Location: `/v1/crossings/${view.id}` } };
    },
  });

  api.route({
    method: 'get',
    path: '/v1/crossings/{id}',
    summary: 'One crossing, live from its workflow',
    tag: 'crossings',
    access: 'any',
    params: IdParams,
    responses: {
      200: { description: 'the crossing', schema: CrossingViewSchema },
      403: { description: 'not your gate', schema: ProblemSchema },
      404: { description: 'no such crossing', schema: ProblemSchema },
    },
    handler: async ({ params, caller }) => {
      const [row] = await ctx.services.em
        .getConnection()
        .execute<CrossingAccessRow[]>('select gate_code, company_tax_code from crossing where id = ?', [params.id]);
      checkAccess(caller, row);
      return { body: await crossings.view(params.id) };
    },
  });
}
