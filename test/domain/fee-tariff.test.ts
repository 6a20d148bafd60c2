import { computeInvoice, type FeeRate } from '../../domain/fee-tariff';
import { declaration } from '../system/fixtures';
import { DeclarationSchema } from '../../domain/declaration';

const rate = (vehicleKind: FeeRate['vehicleKind'], goodsKind: FeeRate['goodsKind'], amountVnd: number, gate = '*'): FeeRate => ({
  gate,
  direction: '*',
  vehicleKind,
  goodsKind,
  amountVnd,
});
const rates: FeeRate[] = [
  rate('TRUCK_UNDER_2T', 'AGRICULTURAL', 100_000),
  rate('TRUCK_UNDER_2T', 'GENERAL', 150_000),
  rate('CONTAINER_40FT', 'AGRICULTURAL', 3_000_000),
  rate('CONTAINER_40FT', 'GENERAL', 4_000_000),
  rate('CONTAINER_40FT', 'ORE', 20_000_000),
  rate('CONTAINER_20FT', 'AGRICULTURAL', 1_500_000),
  rate('CONTAINER_40FT', 'AGRICULTURAL', 3_200_000, 'TAN_THANH'),
];
const adjustments = { TRANSSHIPMENT_ONLY: 30, DOMESTIC_USE: 130 };
const form = (overrides: object) => DeclarationSchema.parse(declaration(overrides));
const fruit = { hsCode: '08109010', description: 'Dragon fruit', quantity: 1, unit: 'CARTON', netWeightKg: 10, valueUsd: 1, origin: 'VN' };
const phones = { hsCode: '85171300', description: 'Phones', quantity: 1, unit: 'BOX', netWeightKg: 10, valueUsd: 1, origin: 'CN' };
const ore = { hsCode: '26011100', description: 'Iron ore', quantity: 1, unit: 'TNE', netWeightKg: 10, valueUsd: 1, origin: 'VN' };

describe('the infrastructure-use fee', () => {
  it('charges a 40-foot container of fruit the agricultural rate, 10 % kept and 90 % remitted', () => {
    const invoice = computeInvoice(form({ goods: [fruit] }), 'EXPORT', 'GATE_MANAGEMENT_CENTRE', rates, adjustments);
    expect(invoice).toMatchObject({
      amountVnd: 3_000_000,
      collectorShareVnd: 300_000,
      remitVnd: 2_700_000,
      collector: 'GATE_MANAGEMENT_CENTRE',
    });
  });

  it('charges a light truck by its weight band and a 20-foot container by its size', () => {
    const light = form({ goods: [fruit], containers: [], vehicle: { plate: '12C-1234', country: 'VN', grossWeightKg: 1500 } });
    expect(computeInvoice(light, 'EXPORT', 'TAX_AUTHORITY', rates, adjustments).amountVnd).toBe(100_000);
    const small = form({ goods: [fruit], containers: [{ number: 'MSCU1234566', sealNo: 'S1', sizeFt: 20 }] });
    expect(computeInvoice(small, 'EXPORT', 'TAX_AUTHORITY', rates, adjustments).amountVnd).toBe(1_500_000);
  });

  it('charges a mixed load the highest rate among its goods, and ore its own (five-fold) rate', () => {
    expect(computeInvoice(form({ goods: [fruit, phones] }), 'EXPORT', 'TAX_AUTHORITY', rates, adjustments).amountVnd).toBe(4_000_000);
    expect(computeInvoice(form({ goods: [fruit, ore] }), 'EXPORT', 'TAX_AUTHORITY', rates, adjustments).amountVnd).toBe(20_000_000);
  });

  it('charges 30 % for a trip that only transships and 130 % for goods imported for domestic use', () => {
    const transship = computeInvoice(form({ goods: [fruit], transshipment: true }), 'TRANSSHIPMENT', 'TAX_AUTHORITY', rates, adjustments);
    expect(transship.amountVnd).toBe(900_000);
    expect(transship.items.map((i) => i.code)).toEqual(['BASE_CONTAINER_40FT_AGRICULTURAL', 'TRANSSHIPMENT_ONLY']);
    const domestic = computeInvoice(form({ goods: [fruit], direction: 'IMPORT' }), 'IMPORT', 'TAX_AUTHORITY', rates, adjustments);
    expect(domestic.amountVnd).toBe(3_900_000);
  });

  it('takes a gate’s own rate over the one for every gate', () => {
    expect(
      computeInvoice(form({ gate: 'TAN_THANH', goods: [fruit] }), 'EXPORT', 'GATE_MANAGEMENT_CENTRE', rates, adjustments).amountVnd,
    ).toBe(3_200_000);
  });
});
