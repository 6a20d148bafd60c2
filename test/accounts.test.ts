import { account, asAdmin, db, http, login, system } from './system/client';

describe('accounts and login', () => {
  it('logs the first admin in with the generated password and shows the account at /v1/me', async () => {
    const res = await http('POST', '/v1/auth/login', { body: { username: 'admin', password: system().adminPassword } });
    expect(res.status).toBe(200);
    expect(res.body.token).toEqual(expect.any(String));
    expect(new Date(res.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(res.body.account).toMatchObject({ username: 'admin', role: 'ADMIN' });
    expect(res.body.account.passwordHash).toBeUndefined();

    const me = await http('GET', '/v1/me', { token: res.body.token });
    expect(me.status).toBe(200);
    expect(me.body.username).toBe('admin');
  });

  it('refuses a wrong password and an unknown user alike with 401', async () => {
    const wrong = await http('POST', '/v1/auth/login', { body: { username: 'admin', password: 'not the password' } });
    const unknown = await http('POST', '/v1/auth/login', { body: { username: 'nobody-here', password: 'not the password' } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('answers 401 without a token, with a forged token and with a malformed header', async () => {
    expect((await http('GET', '/v1/me')).status).toBe(401);
    expect((await http('GET', '/v1/me', { token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad' })).status).toBe(401);
    expect((await http('GET', '/v1/me', { headers: { authorization: 'Basic abc' } })).status).toBe(401);
  });

  it('stores passwords hashed with scrypt, never in clear', async () => {
    const officer = await account('HEALTH_OFFICER');
    const { rows } = await db().query('select password_hash from account where id = $1', [officer.id]);
    expect(rows[0].password_hash).toMatch(/^scrypt\$/);
    expect(rows[0].password_hash).not.toContain(officer.password);
  });

  it('lets an admin create, list and change accounts, and nobody else', async () => {
    const admin = await asAdmin();
    const officer = await account('BORDER_GUARD', ['HUU_NGHI', 'TAN_THANH']);
    const list = await http('GET', '/v1/accounts', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.map((a: { username: string }) => a.username)).toContain(officer.username);

    expect((await http('GET', '/v1/accounts', { token: officer.token })).status).toBe(403);
    const byOfficer = await http('POST', '/v1/accounts', {
      token: officer.token,
      body: { username: 'sneaky-admin', password: 'long enough pw', role: 'ADMIN', gates: [] },
    });
    expect(byOfficer.status).toBe(403);

    const changed = await http('PATCH', `/v1/accounts/${officer.id}`, { token: admin, body: { gates: ['KIM_THANH'] } });
    expect(changed.status).toBe(200);
    expect(changed.body.gates).toEqual(['KIM_THANH']);
  });

  it('refuses a taken username with 409 and a DECLARANT without a tax code with 400', async () => {
    const admin = await asAdmin();
    const taken = await http('POST', '/v1/accounts', {
      token: admin,
      body: { username: 'admin', password: 'long enough pw', role: 'MANAGER', gates: ['HUU_NGHI'] },
    });
    expect(taken.status).toBe(409);

    const noTaxCode = await http('POST', '/v1/accounts', {
      token: admin,
      body: { username: 'company-without-code', password: 'short', role: 'DECLARANT', gates: ['NOWHERE'] },
    });
    expect(noTaxCode.status).toBe(400);
    expect(noTaxCode.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['companyTaxCode', 'password']);

    const unknownGate = await http('POST', '/v1/accounts', {
      token: admin,
      body: { username: 'guard-of-nowhere', password: 'long enough pw', role: 'BORDER_GUARD', gates: ['HUU_NGHI', 'NOWHERE'] },
    });
    expect(unknownGate.status).toBe(400);
    expect(unknownGate.body.errors).toEqual([{ path: 'gates.1', message: 'NOWHERE is not a known gate' }]);
  });

  it("stops a disabled account's token at once, and its login", async () => {
    const officer = await account('CUSTOMS_OFFICER');
    expect((await http('GET', '/v1/me', { token: officer.token })).status).toBe(200);
    const disabled = await http('PATCH', `/v1/accounts/${officer.id}`, { token: await asAdmin(), body: { disabled: true } });
    expect(disabled.body.disabled).toBe(true);
    expect((await http('GET', '/v1/me', { token: officer.token })).status).toBe(401);
    await expect(login(officer.username, officer.password)).rejects.toThrow(/401/);
  });

  it('lists the four seeded gates with their fee collector and yards', async () => {
    const officer = await account('MANAGER');
    const gates = await http('GET', '/v1/gates', { token: officer.token });
    expect(gates.status).toBe(200);
    expect(gates.body.map((g: { code: string }) => g.code)).toEqual(
      expect.arrayContaining(['BAC_LUAN_II', 'HUU_NGHI', 'KIM_THANH', 'TAN_THANH']),
    );
    const huuNghi = gates.body.find((g: { code: string }) => g.code === 'HUU_NGHI');
    expect(huuNghi).toMatchObject({ province: 'Lạng Sơn', feeCollector: 'GATE_MANAGEMENT_CENTRE' });
    expect(huuNghi.yards[0]).toEqual({ code: 'HN-Y1', capacity: 600, occupied: expect.any(Number), reserved: expect.any(Number) });
    expect(huuNghi.plateConfidence).toBe(0.8);
  });
});
