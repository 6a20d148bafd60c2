import { createHmac, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { account, asAdmin, db, declaration, system } from './system/client';
import { declare, RUBBER, staffOf } from './system/crossing-flow';

/**
 * Hostile strings, everywhere the API takes a string. Every string field of every request body and every string query
 * parameter, found in the OpenAPI document (so a field added later is covered without touching this test), is sent
 * once each with a NUL, a lone surrogate, a C0 control, a bidirectional override and 100 kB of text, in an otherwise
 * valid request by an account allowed to make it. Each must be a 400 naming that field, within 10 s (a jam shows as a
 * timeout), and nothing may be stored or left running afterwards.
 */
const HOSTILE: Record<string, string> = {
  NUL: 'a\u0000b',
  'lone surrogate': 'a\uD800b',
  'C0 control': 'a\u0007b',
  'bidirectional override': 'a\u202Eb',
  '100 kB': 'x'.repeat(100_000),
};

type Json = Record<string, any>;

/** A valid request per operation, and who may make it. */
interface Base {
  role: 'anyone' | 'admin' | 'declarant' | 'health' | 'guard' | 'manager' | 'customs' | 'yard' | 'fees' | 'device' | 'police' | 'driver';
  path?: string;
  body?: Json;
}

describe('hostile strings', () => {
  let spec: Json;
  let tokens: Record<Base['role'], string>;
  let crossingId: string;
  let camera: { code: string; secret: string };
  let driven: string;
  // Set once the fixtures are made (a crossing for the driver's link): nothing may be stored or started after it.
  let started: Date;

  beforeAll(async () => {
    spec = (await (await fetch(`${system().apiUrl}/openapi.json`)).json()) as Json;
    const staff = await staffOf();
    const company = await account('DECLARANT');
    tokens = {
      anyone: '',
      admin: await asAdmin(),
      declarant: company.token,
      health: staff.health.token,
      guard: staff.guard.token,
      device: '',
      manager: staff.manager.token,
      customs: staff.customs.token,
      yard: staff.yard.token,
      fees: staff.fees.token,
      police: (await account('TRAFFIC_POLICE')).token,
      driver: '',
    };
    // A driver's link, so that a batch of positions reaches validation.
    const fixture = await declare(company);
    driven = fixture.id;
    tokens.driver = (
      (await (
        await fetch(`${system().apiUrl}/v1/crossings/${driven}/driver-link`, {
          method: 'POST',
          headers: { authorization: `Bearer ${company.token}` },
        })
      ).json()) as Json
    ).token;
    crossingId = randomUUID(); // requests are refused before any crossing is looked up
    const code = `HOSTILE-${randomUUID().slice(0, 8).toUpperCase()}`;
    const registered = await fetch(`${system().apiUrl}/v1/admin/devices`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.admin}` },
      body: JSON.stringify({ code, gate: 'TAN_THANH', point: 'YARD_ENTRY', kind: 'CAMERA' }),
    });
    camera = { code, secret: ((await registered.json()) as Json).secret };
    started = new Date();
  });

  const bases = (): Record<string, Base> => ({
    'POST /v1/auth/login': { role: 'anyone', body: { username: 'someone', password: 'a long passphrase' } },
    'POST /v1/accounts': {
      role: 'admin',
      body: {
        username: 'hostile-x',
        password: 'correct horse battery',
        role: 'MANAGER',
        gates: ['HUU_NGHI'],
        companyTaxCode: '0101234567',
        displayName: 'X',
      },
    },
    'PATCH /v1/accounts/{id}': {
      role: 'admin',
      path: `/v1/accounts/${randomUUID()}`,
      body: { gates: ['HUU_NGHI'], password: 'correct horse battery' },
    },
    'POST /v1/crossings': { role: 'declarant', body: declaration({ goods: [RUBBER] }) },
    'PUT /v1/crossings/{id}/declaration': {
      role: 'declarant',
      path: `/v1/crossings/${crossingId}/declaration`,
      body: declaration({ goods: [RUBBER] }),
    },
    'POST /v1/crossings/{id}/steps/{step}/decision': {
      role: 'health',
      path: `/v1/crossings/${crossingId}/steps/health-check/decision`,
      body: { outcome: 'RETURN', reason: 'because', fields: [{ path: 'driver.fullName', message: 'spelled wrong' }], receiptNo: 'R-1' },
    },
    'POST /v1/crossings/{id}/transshipment': {
      role: 'declarant',
      path: `/v1/crossings/${crossingId}/transshipment`,
      body: { yardCode: 'HN-Y1', toVehicle: { plate: '桂A54321', country: 'CN' } },
    },
    'POST /v1/crossings/{id}/transshipment/complete': {
      role: 'yard',
      path: `/v1/crossings/${crossingId}/transshipment/complete`,
      body: { note: 'done' },
    },
    'POST /v1/crossings/{id}/cancel': { role: 'declarant', path: `/v1/crossings/${crossingId}/cancel`, body: { reason: 'no longer' } },
    'PUT /v1/admin/step-timeouts': {
      role: 'admin',
      body: { gate: 'HUU_NGHI', category: '*', step: 'health-check', sla: 'PT1H', expireAfter: 'PT2H' },
    },
    'PUT /v1/admin/fee-rates': {
      role: 'admin',
      body: { gate: '*', direction: '*', vehicleKind: 'TRUCK_UNDER_2T', goodsKind: 'GENERAL', amountVnd: 1 },
    },
    'POST /v1/payments/callback': {
      role: 'anyone',
      body: { paymentId: randomUUID(), status: 'SUCCEEDED', amountVnd: 1, providerRef: 'P-1' },
    },
    'POST /dev/payment-provider/payments/{paymentId}': {
      role: 'anyone',
      path: `/dev/payment-provider/payments/${randomUUID()}`,
      body: { status: 'SUCCEEDED' },
    },
    'GET /dev/notifications': { role: 'admin' },
    'POST /codec/decode': { role: 'admin', body: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'e30=' }] } },
    'POST /codec/encode': { role: 'admin', body: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'e30=' }] } },
    'GET /v1/crossings': { role: 'manager' },
    'GET /v1/crossings/{id}': { role: 'manager', path: `/v1/crossings/${crossingId}` },
    'GET /v1/audit': { role: 'admin' },
    'GET /v1/fees/report': { role: 'manager' },
    'GET /v1/stats/gates/{code}': { role: 'manager', path: '/v1/stats/gates/HUU_NGHI' },
    'POST /v1/admin/devices': {
      role: 'admin',
      body: { code: 'HOSTILE-NEW', gate: 'TAN_THANH', point: 'YARD_EXIT', kind: 'CAMERA', yard: 'TT-Y1' },
    },
    'PATCH /v1/admin/devices/{code}': { role: 'admin', path: '/v1/admin/devices/NO-SUCH-DEVICE', body: { disabled: true } },
    'POST /v1/gate-events': {
      role: 'device',
      body: { eventId: 'hostile-1', plate: '29C-123.45', at: new Date().toISOString(), confidence: 0.9, imageRef: 'cam/1.jpg' },
    },
    'GET /v1/gate-events': { role: 'guard' },
    'GET /v1/gate-events/{eventId}/candidates': { role: 'guard', path: '/v1/gate-events/no-such-read/candidates' },
    'POST /v1/gate-events/{eventId}/match': { role: 'guard', path: '/v1/gate-events/no-such-read/match', body: { crossingId } },
    'PUT /v1/admin/gates/{code}': { role: 'admin', path: '/v1/admin/gates/NO_SUCH_GATE', body: { yards: [{ code: 'Y9', capacity: 1 }] } },
    'GET /v1/gates/{code}/queue': { role: 'manager', path: '/v1/gates/HUU_NGHI/queue' },
    'POST /v1/gates/{code}/closure': {
      role: 'manager',
      path: '/v1/gates/NO_SUCH_GATE/closure',
      body: { reason: 'Typhoon', expectedReopenAt: new Date(Date.now() + 86_400_000).toISOString() },
    },
    'POST /v1/crossings/{id}/positions': {
      role: 'driver',
      path: `/v1/crossings/${driven}/positions`,
      body: { positions: [{ at: new Date().toISOString(), lat: 21.95, lon: 106.7, speedKmh: 30 }] },
    },
    'POST /v1/gates/{code}/traffic-orders': {
      role: 'police',
      path: '/v1/gates/HUU_NGHI/traffic-orders',
      body: {
        action: 'HOLD',
        message: 'Dừng chờ',
        segments: ['QL1A-3'],
        holdingArea: 'BAI-CHO-PHU-XA',
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      },
    },
    'GET /v1/crossings/{id}/track': { role: 'manager', path: `/v1/crossings/${randomUUID()}/track` },
    'POST /v1/crossings/{id}/customs-channel': {
      role: 'customs',
      path: `/v1/crossings/${crossingId}/customs-channel`,
      body: { channel: 'GREEN', source: 'VNACCS' },
    },
    'POST /v1/webhooks': {
      role: 'declarant',
      body: { url: 'http://127.0.0.1:9/hooks', events: ['crossing.declared'], gates: ['HUU_NGHI'] },
    },
    'GET /v1/webhooks': { role: 'admin' },
    'GET /v1/webhooks/{id}/deliveries': { role: 'declarant', path: `/v1/webhooks/${randomUUID()}/deliveries` },
  });

  const resolve = (schema: Json): Json => (schema?.$ref ? resolve(spec.components.schemas[schema.$ref.split('/').pop()]) : schema);

  /** Dotted paths of every string in a request schema, arrays at index 0, records at the keys the base request has. */
  function stringPaths(schema: Json, base: unknown, prefix: string[] = []): string[][] {
    const s = resolve(schema);
    if (!s) return [];
    const variants = s.anyOf ?? s.oneOf;
    if (variants) return variants.flatMap((v: Json) => stringPaths(v, base, prefix)).filter(unique());
    const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
    if (type === 'string') return [prefix];
    if (type === 'array') return stringPaths(s.items, Array.isArray(base) ? base[0] : undefined, [...prefix, '0']);
    if (type === 'object' || s.properties) {
      const fromProperties = Object.entries(s.properties ?? {}).flatMap(([k, v]) =>
        stringPaths(v as Json, (base as Json)?.[k], [...prefix, k]),
      );
      const fromRecord =
        s.additionalProperties && typeof s.additionalProperties === 'object'
          ? Object.keys((base as Json) ?? {}).flatMap((k) => stringPaths(s.additionalProperties, (base as Json)[k], [...prefix, k]))
          : [];
      return [...fromProperties, ...fromRecord];
    }
    return [];
  }
  const unique = () => {
    const seen = new Set<string>();
    return (p: string[]) => !seen.has(p.join('.')) && !!seen.add(p.join('.'));
  };

  function withValue(body: Json, at: string[], value: string): Json {
    const copy = structuredClone(body);
    let node: any = copy;
    for (const key of at.slice(0, -1)) node = node[key] ??= /^\d+$/.test(key) ? [] : {};
    node[at[at.length - 1]] = value;
    return copy;
  }

  async function send(method: string, url: string, role: Base['role'], body?: Json) {
    const raw = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { ...(raw ? { 'content-type': 'application/json' } : {}) };
    if (tokens[role]) headers.authorization = `Bearer ${tokens[role]}`;
    if (url === '/v1/payments/callback' && raw) {
      // Signed like the provider's own callbacks, so the request reaches validation.
      const secret = fs.readFileSync(path.join(system().dataDir, 'payment-webhook-secret'), 'utf8').trim();
      headers['x-signature'] = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
    }
    if (role === 'device' && raw) {
      // Signed by a registered camera, so the read reaches validation.
      headers['x-device'] = camera.code;
      headers['x-signature'] = `sha256=${createHmac('sha256', camera.secret).update(raw).digest('hex')}`;
    }
    const res = await fetch(`${system().apiUrl}${url}`, { method, headers, body: raw, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as Json | undefined };
  }

  it('answers 400 naming the field to each hostile string in every body and query, promptly', async () => {
    const cases: [string, string, Base, string[] | string, string][] = [];
    const table = bases();
    for (const [route, methods] of Object.entries<Json>(spec.paths)) {
      for (const [method, op] of Object.entries<Json>(methods)) {
        const id = `${method.toUpperCase()} ${route}`;
        const bodySchema = op.requestBody?.content?.['application/json']?.schema;
        const queryStrings = (op.parameters ?? []).filter((p: Json) => p.in === 'query' && resolve(p.schema)?.type === 'string');
        if (!bodySchema && queryStrings.length === 0) continue;
        const base = table[id];
        // Every operation that takes text must be in the table above: a new one fails here until it is.
        expect([id, base !== undefined]).toEqual([id, true]);
        for (const at of bodySchema ? stringPaths(bodySchema, base.body) : [])
          for (const kind of Object.keys(HOSTILE)) cases.push([id, method, base, at, kind]);
        for (const p of queryStrings) {
          for (const kind of Object.keys(HOSTILE)) {
            // A lone surrogate cannot be written in a URL (it has no UTF-8 form); what comes closest arrives as U+FFFD.
            if (kind !== 'lone surrogate') cases.push([id, method, base, p.name as string, kind]);
          }
        }
      }
    }
    const failures: string[] = [];
    for (const [id, method, base, at, kind] of cases) {
      const url = base.path ?? id.split(' ')[1];
      // Base64 payloads of the codec are data, not text: 100 kB of them is a valid (and refused-if-undecodable) payload.
      if (kind === '100 kB' && id.startsWith('POST /codec/') && Array.isArray(at) && at.at(-1) === 'data') continue;
      const answer = Array.isArray(at)
        ? await send(method.toUpperCase(), url, base.role, withValue(base.body!, at, HOSTILE[kind]))
        : await send(method.toUpperCase(), `${url}?${at}=${encodeURIComponent(HOSTILE[kind])}`, base.role);
      const field = Array.isArray(at) ? at.join('.') : `query.${at}`;
      const named = answer.body?.errors?.some(
        (e: { path: string }) => e.path === field || e.path.startsWith(`${field}.`) || field.startsWith(`${e.path}.`),
      );
      if (answer.status !== 400 || !named)
        failures.push(`${id} ${field} with ${kind}: ${answer.status} ${JSON.stringify(answer.body?.errors ?? answer.body).slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(cases.length).toBeGreaterThan(300);
  }, 300_000);

  it('stored nothing and started nothing while refusing them', async () => {
    const since = started.toISOString();
    const counts = await db().query(
      `select (select count(*)::int from crossing where created_at >= $1) as crossings,
              (select count(*)::int from account where created_at >= $1 and username like 'hostile%') as accounts,
              (select count(*)::int from deadline_policy_version where updated_at >= $1) as policies,
              (select count(*)::int from fee_rate where updated_at >= $1) as rates,
              (select count(*)::int from gate_event where received_at >= $1) as reads,
              (select count(*)::int from device where code = 'HOSTILE-NEW') as devices,
              (select count(*)::int from track_point where received_at >= $1) as points,
              (select count(*)::int from traffic_order where issued_at >= $1) as orders,
              (select count(*)::int from webhook_subscription where created_at >= $1) as subscriptions`,
      [since],
    );
    expect(counts.rows[0]).toEqual({
      crossings: 0,
      accounts: 0,
      policies: 0,
      rates: 0,
      reads: 0,
      devices: 0,
      points: 0,
      orders: 0,
      subscriptions: 0,
    });
    const connection = await Connection.connect({ address: system().temporalAddress });
    try {
      // Subscriptions' delivery workflows of earlier test files start (a keeper's wake) and continue as new on their
      // own schedule; no request here can start one (none made a subscription, the count above says).
      const { count } = await new Client({ connection }).workflow.count(
        `StartTime >= "${since}" AND WorkflowType != "webhookDeliveryWorkflow"`,
      );
      expect(count).toBe(0);
    } finally {
      await connection.close();
    }
  });
});
