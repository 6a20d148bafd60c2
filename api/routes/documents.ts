import { z } from 'zod';
import { DOCUMENT_KINDS } from '../../domain/documents';
import { GatePassSigner } from '../../infra/gate-pass-signature';
import type { ApiContext } from '../context';
import { crossingFor } from '../crossing-access';
import { CROSSING_READERS, mayReadDocument } from '../../domain/data-views';
import { forbidden, notFound } from '../problem';
import type { Api } from '../route';
import { IdParams, ProblemSchema } from '../schemas';

/** The PDFs issued for a crossing, served as stored, and the public check behind a gate pass's QR code. */
export function documentRoutes(api: Api, ctx: ApiContext): void {
  api.route({
    method: 'get',
    path: '/v1/crossings/{id}/documents/{kind}',
    summary: 'A document of the crossing as a PDF: gate-pass, fee-receipt, return-notice, turn-back-order',
    tag: 'documents',
    access: [...CROSSING_READERS],
    params: IdParams.extend({ kind: z.enum(DOCUMENT_KINDS) }),
    responses: {
      200: { description: 'the PDF', schema: z.string(), contentType: 'application/pdf' },
      403: { description: 'this role does not read this kind of document', schema: ProblemSchema },
      404: { description: 'not issued (yet)', schema: ProblemSchema },
    },
    handler: async ({ params, caller, res }) => {
      await crossingFor(ctx, caller, params.id);
      // A document shows what the role's JSON view shows, no more (domain/data-views.ts).
      if (!mayReadDocument(caller.role, params.kind)) throw forbidden(`A ${caller.role} account does not read the ${params.kind}.`);
      const pdf = await ctx.services.stores().documents.pdf(params.id, params.kind);
      if (!pdf) throw notFound(`This crossing has no ${params.kind} (yet).`);
      res.type('application/pdf').setHeader('Content-Disposition', `inline; filename="${params.kind}-${params.id}.pdf"`);
      res.send(pdf);
    },
  });

  const signer = GatePassSigner.fromConfig(ctx.config);
  api.route({
    method: 'get',
    path: '/.well-known/gate-pass-keys',
    summary: "The public keys that verify a gate pass's signed QR offline (Ed25519); fetch them before going offline",
    tag: 'documents',
    access: 'public',
    responses: {
      200: {
        description: 'the keys',
        schema: z.object({
          keys: z.array(z.object({ kid: z.string(), alg: z.literal('Ed25519'), publicKey: z.string(), pem: z.string() })),
        }),
      },
    },
    handler: async () => ({ body: { keys: [signer.published()] } }),
  });

  api.route({
    method: 'get',
    path: '/v1/verify/{code}',
    summary: 'Check a gate pass by the code in its QR: gate, plate and clearance time, nothing else',
    tag: 'documents',
    access: 'public',
    params: z.object({ code: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/, 'is not a gate-pass code') }),
    responses: {
      200: {
        description: 'the verdict',
        schema: z.object({
          valid: z.boolean(),
          gate: z.string().optional(),
          plate: z.string().optional(),
          clearedAt: z.string().optional(),
        }),
      },
    },
    handler: async ({ params }) => {
      const pass = await ctx.services.stores().documents.gatePass(params.code);
      if (!pass) return { body: { valid: false } };
      return { body: { valid: true, gate: pass.gate, plate: pass.plate, clearedAt: pass.clearedAt ?? undefined } };
    },
  });
}
