import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import type { EncryptionCodec } from '../../infra/payload-codec';
import type { ApiContext } from '../context';
import { invalidFields } from '../problem';
import type { Api } from '../route';

/**
 * The codec endpoint operators point Temporal's tools at to read decrypted payloads (`temporal workflow show
 * --codec-endpoint …/codec --codec-auth "Bearer <admin token>"`, or the Web UI's "Remote Codec Endpoint" with the
 * access token passed). Admins only: it turns ciphertext back into company data.
 */
const PayloadsSchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string().max(100), z.base64().max(1000)).nullish(), data: z.base64().nullish() }))
    .max(1000),
});

type JsonPayload = z.infer<typeof PayloadsSchema>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: metadata ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])) : undefined,
  data: data ? Buffer.from(data, 'base64') : undefined,
});

const toJson = ({ metadata, data }: Payload): JsonPayload => ({
  metadata: metadata ? Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) : undefined,
  data: data ? Buffer.from(data).toString('base64') : undefined,
});

export function codecRoutes(api: Api, _ctx: ApiContext, codec: EncryptionCodec): void {
  for (const direction of ['decode', 'encode'] as const) {
    api.route({
      method: 'post',
      path: `/codec/${direction}`,
      summary: `${direction === 'decode' ? 'Decrypt' : 'Encrypt'} Temporal payloads (remote codec protocol)`,
      tag: 'operations',
      access: ['ADMIN'],
      body: PayloadsSchema,
      responses: { 200: { description: 'the payloads', schema: PayloadsSchema } },
      handler: async ({ body }) => {
        // One by one, so a payload that cannot be decoded (damaged, or under a key this API does not hold) is named.
        const out: JsonPayload[] = [];
        const errors: { path: string; message: string }[] = [];
        for (const [i, payload] of body.payloads.entries()) {
          try {
            out.push(...(await codec[direction]([fromJson(payload)])).map(toJson));
          } catch {
            errors.push({
              path: `payloads.${i}`,
              message: `cannot be ${direction}d: damaged, or encrypted under a key this API does not hold`,
            });
          }
        }
        if (errors.length) throw invalidFields(errors);
        return { body: { payloads: out } };
      },
    });
  }
}
