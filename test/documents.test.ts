import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { verifyGatePass } from '../infra/gate-pass-signature';
import { account, db, http, system } from './system/client';
import { approve, decide, declare, staffOf } from './system/crossing-flow';
import { pdfText, qrOf } from './system/pdf';
import { gateLocalTime } from '../domain/local-time';

describe('documents', () => {
  it('issues a gate pass in Vietnamese and English whose QR code verifies publicly, revealing only gate, plate and time', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const crossing = await declare(company, { vehicle: { plate: '12C-678.90', country: 'VN', grossWeightKg: 31000 } });
    expect((await pdfText(company.token, crossing.id, 'gate-pass')).status).toBe(404); // not cleared yet
    const cleared = await approve(staff, crossing.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    // The border guard's answer lists what the guard may read; the company reads both.
    expect(cleared.body.documents.map((d: any) => d.kind)).toEqual(['gate-pass']);
    const forCompany = await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token });
    expect(forCompany.body.documents.map((d: any) => d.kind).sort()).toEqual(['fee-receipt', 'gate-pass']);

    const pass = await pdfText(company.token, crossing.id, 'gate-pass');
    expect(pass.type).toBe('application/pdf');
    expect(pass.pages).toBe(1);
    for (const text of [
      'Cửa khẩu',
      'Giấy thông quan / Gate pass',
      'Cửa khẩu quốc tế Hữu Nghị',
      '12C-678.90',
      'Đồn Biên phòng cửa khẩu',
      crossing.id,
      // A person at the gate reads the clearance time in the gate's local time, with the zone shown.
      `${gateLocalTime(cleared.body.steps.find((s: any) => s.step === 'border-exit').decidedAt)}`,
    ]) {
      expect([text, pass.text.includes(text)]).toEqual([text, true]);
    }
    // The QR holds the verification URL, which is also printed under it.
    const [row] = (
      await db().query(`select verify_code from crossing_document where crossing_id = $1 and kind = 'gate-pass'`, [crossing.id])
    ).rows;
    expect(row.verify_code).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(pass.text.replace(/\s+/g, '')).toContain(`/v1/verify/${row.verify_code}`);
    const verified = await http('GET', `/v1/verify/${row.verify_code}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ valid: true, gate: 'HUU_NGHI', plate: '12C-678.90', clearedAt: expect.any(String) });
    expect((await http('GET', '/v1/verify/AAAAAAAAAAAAAAAAAAAAAA')).body).toEqual({ valid: false });

    // Offline: the QR carries the pass signed with the platform's key, which a verifier fetched beforehand.
    const qr = qrOf(pass.file!)!;
    expect(qr.startsWith(`${system().apiUrl}/v1/verify/${row.verify_code}#`)).toBe(true);
    const keys = (await http('GET', '/.well-known/gate-pass-keys')).body.keys.map((k: any) => createPublicKey(k.pem));
    const offline = verifyGatePass(qr, keys);
    expect(offline).toEqual({
      valid: true,
      fields: expect.objectContaining({ gate: 'HUU_NGHI', plate: '12C-678.90', direction: 'EXPORT', id: crossing.id, c: row.verify_code }),
    });
    // A pass altered in the QR (another plate) fails, and so does one signed with another key.
    const [link, signed] = qr.split('#');
    const [body, signature] = signed.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), plate: '12C-999.99' })).toString(
      'base64url',
    );
    expect(verifyGatePass(`${link}#${forged}.${signature}`, keys)).toMatchObject({ valid: false });
    expect(verifyGatePass(qr, [generateKeyPairSync('ed25519').publicKey])).toMatchObject({ valid: false });
    // The small verifier command of examples/ says the same, from a keys file saved while online.
    const keysFile = path.join(system().dataDir, 'gate-pass-keys.json');
    fs.writeFileSync(keysFile, JSON.stringify((await http('GET', '/.well-known/gate-pass-keys')).body));
    const verifier = spawnSync(process.execPath, ['--import', 'tsx', 'examples/verify-gate-pass.ts', qr, keysFile], { encoding: 'utf8' });
    expect([verifier.status, verifier.stdout]).toEqual([0, expect.stringMatching(/^VALID gate pass: 12C-678\.90/)]);

    const receipt = await pdfText(staff.fees.token, crossing.id, 'fee-receipt');
    expect(receipt.text).toContain('Biên lai thu phí / Fee receipt');
    expect(receipt.text).toContain('Trung tâm Quản lý cửa khẩu');
    expect(receipt.text).toMatch(/4\.000\.000 ₫/);
  });

  it('issues a return notice naming the fields to correct, and a turn-back order for a truck denied inside', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const crossing = await declare(company);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    await decide(staff.customs, crossing.id, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'Khối lượng không khớp với máy soi / weight does not match the scan',
      fields: [{ path: 'goods.0.netWeightKg', message: 'máy soi cho thấy khoảng 19.500 kg' }],
    });
    const notice = await pdfText(company.token, crossing.id, 'return-notice');
    expect(notice.text).toContain('Thông báo trả hồ sơ / Return notice');
    expect(notice.text).toContain('goods.0.netWeightKg');
    expect(notice.text).toContain('Khối lượng không khớp với máy soi');
    expect(notice.text).toContain('Chi cục Hải quan cửa khẩu');

    await http('POST', `/v1/crossings/${crossing.id}/cancel`, { token: staff.manager.token, body: { reason: 'closed' } });
    const order = await pdfText(staff.manager.token, crossing.id, 'turn-back-order');
    expect(order.text).toContain('Lệnh quay đầu xe / Turn-back order');
    expect(order.text).toContain('Hủy / Cancelled');
    expect(order.text).toContain('12C-123.45');
    // Another company cannot fetch it.
    const other = await account('DECLARANT');
    expect((await pdfText(other.token, crossing.id, 'turn-back-order')).status).toBe(404);
  });
});
