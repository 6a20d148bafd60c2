import { account, declaration, db, http } from './system/client';

describe('a declarant declares a crossing', () => {
  it('creates a crossing that starts at the health check and reads it back live', async () => {
    const company = await account('DECLARANT');
    const created = await http('POST', '/v1/crossings', { token: company.token, body: declaration() });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/crossings/${created.body.id}`);
    expect(created.body).toMatchObject({
      gate: 'HUU_NGHI',
      direction: 'EXPORT',
      category: 'EXPORT',
      status: 'IN_PROGRESS',
      currentStep: 'health-check',
      declarationVersion: 1,
    });
    const stepStatus = Object.fromEntries(created.body.steps.map((s: { step: string; status: string }) => [s.step, s.status]));
    expect(stepStatus).toEqual({
      declaration: 'APPROVED',
      'health-check': 'WAITING',
      'border-entry': 'PENDING',
      quarantine: 'PENDING', // dragon fruit, HS chapter 08: plant quarantine
      transshipment: 'SKIPPED',
      'customs-inspection': 'PENDING',
      'fee-payment': 'PENDING',
      'border-exit': 'PENDING',
    });

    const read = await http('GET', `/v1/crossings/${created.body.id}`, { token: company.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    // The activity wrote the read model row before the answer came back.
    const { rows } = await db().query('select status, current_step, plate, company_tax_code from crossing where id = $1', [
      created.body.id,
    ]);
    expect(rows).toEqual([
      { status: 'IN_PROGRESS', current_step: 'health-check', plate: '12C12345', company_tax_code: company.companyTaxCode },
    ]);
  });

  it('files a priority declaration without quarantine goods as PRIORITY with quarantine skipped', async () => {
    const company = await account('DECLARANT');
    const created = await http('POST', '/v1/crossings', {
      token: company.token,
      body: declaration({
        direction: 'IMPORT',
        priority: { reason: 'EMERGENCY' },
        goods: [
          { hsCode: '30049099', description: 'Medicines', quantity: 40, unit: 'BOX', netWeightKg: 800, valueUsd: 90000, origin: 'CN' },
        ],
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body.category).toBe('PRIORITY');
    expect(created.body.steps.find((s: { step: string }) => s.step === 'quarantine').status).toBe('SKIPPED');
  });

  it('refuses an invalid declaration with 400 listing every field at fault, and creates nothing', async () => {
    const company = await account('DECLARANT');
    const before = await db().query('select count(*)::int as n from crossing');
    const bad = declaration({
      customsDeclarationNo: '12345',
      vehicle: { plate: 'NOT A PLATE', country: 'Vietnam', grossWeightKg: -5 },
      containers: [{ number: 'MSCU1234567', sealNo: 'SL1' }],
      goods: [{ hsCode: '08', description: '', quantity: 0, unit: 'KG', netWeightKg: 10, valueUsd: 1, origin: 'VN' }],
      health: { temperatureC: 36.6, symptoms: [], declaredAt: '2026-11-22 08:00' },
    });
    const res = await http('POST', '/v1/crossings', { token: company.token, body: bad });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      [
        'containers.0.number',
        'customsDeclarationNo',
        'goods.0.description',
        'goods.0.hsCode',
        'goods.0.quantity',
        'health.declaredAt',
        'vehicle.country',
        'vehicle.grossWeightKg',
        'vehicle.plate',
      ].sort(),
    );
    const after = await db().query('select count(*)::int as n from crossing');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses an unknown gate with 400 and a gate the account does not serve with 403', async () => {
    const company = await account('DECLARANT', ['HUU_NGHI']);
    const unknown = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ gate: 'ATLANTIS' }) });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ path: 'gate', message: 'ATLANTIS is not a known gate' }]);
    const notServed = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ gate: 'KIM_THANH' }) });
    expect(notServed.status).toBe(403);
  });

  it('lets only a DECLARANT declare (403 for other roles, 401 without a token)', async () => {
    const guard = await account('BORDER_GUARD');
    const forbidden = await http('POST', '/v1/crossings', { token: guard.token, body: declaration() });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.detail).toMatch(/DECLARANT/);
    expect((await http('POST', '/v1/crossings', { body: declaration() })).status).toBe(401);
  });

  it("hides another company's crossing, and a crossing at another gate, with 404; officers of its gate see it", async () => {
    const owner = await account('DECLARANT');
    const other = await account('DECLARANT');
    const created = await http('POST', '/v1/crossings', { token: owner.token, body: declaration() });
    expect((await http('GET', `/v1/crossings/${created.body.id}`, { token: other.token })).status).toBe(404);
    const here = await account('HEALTH_OFFICER', ['HUU_NGHI']);
    const elsewhere = await account('HEALTH_OFFICER', ['KIM_THANH']);
    expect((await http('GET', `/v1/crossings/${created.body.id}`, { token: here.token })).status).toBe(200);
    expect((await http('GET', `/v1/crossings/${created.body.id}`, { token: elsewhere.token })).status).toBe(404);
    expect((await http('GET', '/v1/crossings/not-a-uuid', { token: here.token })).status).toBe(400);
    expect((await http('GET', '/v1/crossings/00000000-0000-4000-8000-000000000000', { token: here.token })).status).toBe(404);
  });

  it('creates one crossing for a POST repeated with the same Idempotency-Key', async () => {
    const company = await account('DECLARANT');
    const headers = { 'Idempotency-Key': `declare-${company.id}` };
    const first = await http('POST', '/v1/crossings', { token: company.token, body: declaration(), headers });
    const second = await http('POST', '/v1/crossings', { token: company.token, body: declaration(), headers });
    expect(first.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    const { rows } = await db().query('select count(*)::int as n from crossing where company_tax_code = $1', [company.companyTaxCode]);
    expect(rows[0].n).toBe(1);
  });
});
