import { randomUUID } from 'node:crypto';
import { account, db, http, system } from './system/client';
import { approve, decide, declare, staffOf, statusOf } from './system/crossing-flow';

async function atFeeStep(gate = 'HUU_NGHI') {
  const staff = await staffOf(gate);
  const company = await account('DECLARANT', [gate]);
  const crossing = await declare(company, { gate });
  await approve(staff, crossing.id, ['health-check', 'border-entry', 'customs-inspection']);
  // As the company sees it: customs, who approved last, does not see the fee.
  const view = (await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token })).body;
  return { staff, company, crossing, view };
}

const simulate = (paymentId: string, body: object = {}) => http('POST', `/dev/payment-provider/payments/${paymentId}`, { body });

describe('fees and payments', () => {
  it('issues the invoice when the fee step opens, routed to the gate’s collector', async () => {
    const { staff, company, crossing, view } = await atFeeStep();
    expect(view.currentStep).toBe('fee-payment');
    // A 40-foot container of rubber (general cargo) at Hữu Nghị.
    expect(view.fee).toEqual({ amountVnd: 4_000_000, collector: 'GATE_MANAGEMENT_CENTRE', status: 'DUE' });
    const invoice = await http('GET', `/v1/crossings/${crossing.id}/fee`, { token: staff.fees.token });
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({ amountVnd: 4_000_000, collectorShareVnd: 400_000, remitVnd: 3_600_000, status: 'DUE' });
    expect(invoice.body.items[0].label).toMatch(/Phí sử dụng công trình hạ tầng/);
    expect((await http('GET', `/v1/crossings/${crossing.id}/fee`, { token: company.token })).status).toBe(200);
    expect((await http('GET', `/v1/crossings/${crossing.id}/fee`, { token: staff.customs.token })).status).toBe(403);

    const elsewhere = await atFeeStep('BAC_LUAN_II');
    expect(elsewhere.view.fee.collector).toBe('TAX_AUTHORITY');
  });

  it('takes a direct payment only with its receipt number', async () => {
    const { staff, crossing } = await atFeeStep();
    const noReceipt = await decide(staff.fees, crossing.id, 'fee-payment', { outcome: 'APPROVE' });
    expect(noReceipt.status).toBe(400);
    expect(noReceipt.body.errors).toEqual([{ path: 'receiptNo', message: 'is required to approve fee-payment' }]);
    const paid = await decide(staff.fees, crossing.id, 'fee-payment', { outcome: 'APPROVE', receiptNo: 'BL-2026-000777' });
    expect(paid.status).toBe(200);
    expect(paid.body.fee).toMatchObject({ status: 'PAID', receiptNo: 'BL-2026-000777' });
    expect(paid.body.currentStep).toBe('border-exit');
    expect(paid.body.documents.map((d: any) => d.kind)).toContain('fee-receipt');
    const payments = await db().query('select method, status, receipt_no from fee_payment where crossing_id = $1', [crossing.id]);
    expect(payments.rows).toEqual([{ method: 'DIRECT', status: 'SUCCEEDED', receipt_no: 'BL-2026-000777' }]);
  });

  it('takes an online payment through the provider, refusing a bad signature and a wrong amount, once however often it calls', async () => {
    const { company, crossing } = await atFeeStep();
    const key = () => ({ 'Idempotency-Key': randomUUID() });
    const started = await http('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, { token: company.token, headers: key() });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ amountVnd: 4_000_000, payUrl: expect.stringContaining(started.body.paymentId) });
    const again = await http('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, { token: company.token, headers: key() });
    expect(again.body.paymentId).toBe(started.body.paymentId);

    const forged = await simulate(started.body.paymentId, { forgeSignature: true });
    expect(forged.body.callbackStatus).toBe(401);
    expect((await db().query('select status from fee_payment where id = $1', [started.body.paymentId])).rows[0].status).toBe('PENDING');

    const failed = await simulate(started.body.paymentId, { status: 'FAILED' });
    expect(failed.body.callbackAnswer).toMatchObject({ status: 'FAILED' });
    let view = (await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token })).body;
    expect(view.currentStep).toBe('fee-payment');

    const second = await http('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, { token: company.token, headers: key() });
    expect(second.body.paymentId).not.toBe(started.body.paymentId);
    const short = await simulate(second.body.paymentId, { amountVnd: 3_999_000 });
    expect(short.body.callbackAnswer).toMatchObject({ status: 'DISPUTED' });
    view = (await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token })).body;
    expect(view.currentStep).toBe('fee-payment');

    const third = await http('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, { token: company.token, headers: key() });
    const ok = await simulate(third.body.paymentId);
    expect(ok.body).toMatchObject({ callbackStatus: 200, callbackAnswer: { status: 'SUCCEEDED', repeated: false } });
    const repeat = await simulate(third.body.paymentId);
    expect(repeat.body).toMatchObject({ callbackStatus: 200, callbackAnswer: { status: 'SUCCEEDED', repeated: true } });

    view = (await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token })).body;
    expect(view.currentStep).toBe('border-exit');
    expect(view.fee).toMatchObject({ status: 'PAID', receiptNo: expect.stringMatching(/^SIM-/) });
    const history = await http('GET', `/v1/crossings/${crossing.id}/history`, { token: company.token });
    expect(history.body.items.filter((e: any) => e.type === 'PAYMENT')).toHaveLength(1);
    const statuses = await db().query('select status from fee_payment where crossing_id = $1 order by created_at', [crossing.id]);
    expect(statuses.rows.map((r) => r.status)).toEqual(['FAILED', 'DISPUTED', 'SUCCEEDED']);
  });

  it('does not refund a payment the crossing took when the provider repeats its callback after the crossing ended', async () => {
    const { staff, company, crossing } = await atFeeStep();
    const started = await http('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, {
      token: company.token,
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect((await simulate(started.body.paymentId)).body.callbackAnswer).toMatchObject({ status: 'SUCCEEDED' });
    const cleared = await decide(staff.guard, crossing.id, 'border-exit');
    expect(cleared.body.status).toBe('CLEARED');

    const repeat = await simulate(started.body.paymentId);
    expect(repeat.body).toMatchObject({ callbackStatus: 200, callbackAnswer: { status: 'SUCCEEDED', repeated: true } });
    const payment = await db().query('select status, refunded_at from fee_payment where id = $1', [started.body.paymentId]);
    expect(payment.rows).toEqual([{ status: 'SUCCEEDED', refunded_at: null }]);
  });

  it('refunds, once and audited, an online payment that arrives after the fee was paid at the booth', async () => {
    const { staff, company, crossing } = await atFeeStep();
    const started = await http('POST', `/v1/crossings/${crossing.id}/fee/online-payment`, {
      token: company.token,
      headers: { 'Idempotency-Key': randomUUID() },
    });
    await decide(staff.fees, crossing.id, 'fee-payment', { outcome: 'APPROVE', receiptNo: 'BL-BOOTH-1' });
    const late = await simulate(started.body.paymentId);
    expect(late.body.callbackAnswer).toMatchObject({ status: 'REFUNDED' });
    expect((await simulate(started.body.paymentId)).body.callbackAnswer).toMatchObject({ status: 'REFUNDED' });
    const audit = await db().query(`select actor from audit_entry where action = 'PAYMENT_REFUNDED' and crossing_id = $1`, [crossing.id]);
    expect(audit.rows).toHaveLength(1);
  });

  it('refunds a paid fee when the crossing is denied afterwards, and the report shows paid and refunded', async () => {
    const { staff, company, crossing } = await atFeeStep();
    await decide(staff.fees, crossing.id, 'fee-payment', { outcome: 'APPROVE', receiptNo: 'BL-REFUND-1' });
    const denied = await decide(staff.guard, crossing.id, 'border-exit', { outcome: 'DENY', reason: 'Seal broken at the exit barrier' });
    expect(denied.body.status).toBe('DENIED');
    expect(denied.body.compensations.map((c: any) => c.action)).toEqual(['REFUND_FEE', 'ISSUE_TURN_BACK_ORDER', 'RELEASE_YARD_PLACE']);
    expect(denied.body.fee).toBeUndefined(); // the border guard does not see the fee…
    const seen = (await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token })).body; // …the company does
    expect(seen.fee.status).toBe('REFUNDED');
    expect(statusOf(seen)['fee-payment']).toBe('COMPENSATED');
    const invoice = await http('GET', `/v1/crossings/${crossing.id}/fee`, { token: company.token });
    expect(invoice.body.status).toBe('REFUNDED');
    expect(invoice.body.payments[0].status).toBe('REFUNDED');

    const report = await http('GET', '/v1/fees/report?gate=HUU_NGHI', { token: staff.fees.token });
    expect(report.status).toBe(200);
    const direct = report.body.rows.filter((r: any) => r.method === 'DIRECT' && r.collector === 'GATE_MANAGEMENT_CENTRE');
    expect(direct.reduce((s: number, r: any) => s + r.refundedVnd, 0)).toBeGreaterThanOrEqual(4_000_000);
    for (const row of report.body.rows) expect(row.collectorShareVnd + row.remitVnd).toBe(row.netVnd);
    const csv = await fetch(`${system().apiUrl}/v1/fees/report?gate=HUU_NGHI`, {
      headers: { authorization: `Bearer ${staff.fees.token}`, accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('day,collector,method,payments,paid_vnd,refunded_vnd,net_vnd,collector_share_vnd,remit_vnd');
    expect(lines.length).toBeGreaterThan(1);
    expect((await http('GET', '/v1/fees/report', { token: staff.customs.token })).status).toBe(403);
  });
});
