// One crossing through the compiled system, as a client would take it (the HTTP calls of test/system/crossing-flow.ts):
// the admin logs in with the generated password, creates a declarant and one officer per step, the declarant
// declares natural rubber at Hữu Nghị, each officer approves their step, and the crossing must read CLEARED.
// Plain JavaScript: the compiled system is what is tested, so nothing here may need tsx.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';

const api = process.env.API;
const adminPassword = fs.readFileSync(process.env.ADMIN_PASSWORD_FILE, 'utf8').trim();

async function call(method, path, { token, body, key } = {}) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function must(status, what, answer) {
  const got = await answer;
  if (got.status !== status) throw new Error(`${what}: ${got.status} ${JSON.stringify(got.body)}`);
  return got.body;
}

const login = async (username, password) =>
  (await must(200, `login ${username}`, call('POST', '/v1/auth/login', { body: { username, password } }))).token;
const admin = await login('admin', adminPassword);

async function account(role, extra = {}) {
  const username = `${role.toLowerCase().replace(/_/g, '-')}-${randomUUID().slice(0, 8)}`;
  const password = 'correct horse battery';
  await must(
    201,
    `creating ${role}`,
    call('POST', '/v1/accounts', { token: admin, body: { username, password, role, gates: ['HUU_NGHI'], ...extra } }),
  );
  return login(username, password);
}

const declarant = await account('DECLARANT', { companyTaxCode: `01${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}` });
const officers = {
  'health-check': await account('HEALTH_OFFICER'),
  'border-entry': await account('BORDER_GUARD'),
  'customs-inspection': await account('CUSTOMS_OFFICER'),
  'fee-payment': await account('FEE_COLLECTOR'),
  'border-exit': undefined,
};
officers['border-exit'] = officers['border-entry'];

const created = await must(
  201,
  'declaring',
  call('POST', '/v1/crossings', {
    token: declarant,
    body: {
      gate: 'HUU_NGHI',
      direction: 'EXPORT',
      priority: null,
      customsDeclarationNo: '305123456789',
      vehicle: { plate: '12C-123.45', trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 },
      driver: { fullName: 'Nguyen Van A', idNumber: '001090012345', nationality: 'VN', phone: '+84912345678' },
      health: { temperatureC: 36.8, symptoms: [], declaredAt: new Date().toISOString() },
      containers: [{ number: 'MSCU1234566', sealNo: 'SL123456' }],
      goods: [
        {
          hsCode: '40012200',
          description: 'Natural rubber TSR 20',
          quantity: 20,
          unit: 'PALLET',
          netWeightKg: 20000,
          valueUsd: 34000,
          origin: 'VN',
        },
      ],
      transshipment: false,
    },
  }),
);

let view;
for (const [step, token] of Object.entries(officers)) {
  const body = step === 'fee-payment' ? { outcome: 'APPROVE', receiptNo: `BL-${randomUUID().slice(0, 8)}` } : { outcome: 'APPROVE' };
  view = await must(
    200,
    `approving ${step}`,
    call('POST', `/v1/crossings/${created.id}/steps/${step}/decision`, { token, body, key: randomUUID() }),
  );
}
const read = await must(200, 'reading the crossing', call('GET', `/v1/crossings/${created.id}`, { token: declarant }));
if (read.status !== 'CLEARED') throw new Error(`the crossing is ${read.status}, not CLEARED: ${JSON.stringify(read)}`);
console.log(`crossing ${created.id} CLEARED (${Object.keys(officers).length} steps approved)`);
