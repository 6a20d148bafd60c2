import type { Category } from './category';
import type { Declaration } from './declaration';
import type { FeeCollector } from './gates';
import { hsChapter } from './identifiers';
import { mostSpecific } from './specificity';

/**
 * The infrastructure-use fee (Lạng Sơn, Resolution 09/2025, and provinces that follow it): charged per trip by
 * vehicle or container size and kind of goods; a mixed load pays the highest rate among its goods; a trip that only
 * transships pays 30 %; goods imported for domestic use pay 130 %. Ore pays five times the general rate, which the
 * seeded tariff holds as its own rate. Rates and adjustments are data (PostgreSQL); this is the arithmetic.
 */
export const VEHICLE_KINDS = [
  'TRUCK_UNDER_2T',
  'TRUCK_2_TO_10T',
  'TRUCK_10_TO_30T',
  'TRUCK_OVER_30T',
  'CONTAINER_20FT',
  'CONTAINER_40FT',
] as const;
export type VehicleKind = (typeof VEHICLE_KINDS)[number];
export const GOODS_KINDS = ['AGRICULTURAL', 'GENERAL', 'ORE'] as const;
export type GoodsKind = (typeof GOODS_KINDS)[number];

export interface FeeRate {
  gate: string; // a gate code or '*'
  direction: string; // EXPORT, IMPORT or '*'
  vehicleKind: VehicleKind;
  goodsKind: GoodsKind;
  amountVnd: number;
}

/** Percent adjustments by code: TRANSSHIPMENT_ONLY (30), DOMESTIC_USE (130). */
export type FeeAdjustments = Record<string, number>;

export interface InvoiceItem {
  code: string;
  label: string;
  amountVnd: number;
}

export interface Invoice {
  items: InvoiceItem[];
  amountVnd: number;
  collector: FeeCollector;
  /** The collector keeps 10 % and remits 90 % (reconciliation reports both). */
  collectorShareVnd: number;
  remitVnd: number;
}

export function vehicleKindOf(declaration: Pick<Declaration, 'vehicle' | 'containers'>): VehicleKind {
  if (declaration.containers.length) {
    return declaration.containers.some((c) => c.sizeFt !== 20) ? 'CONTAINER_40FT' : 'CONTAINER_20FT';
  }
  const kg = declaration.vehicle.grossWeightKg;
  if (kg < 2000) return 'TRUCK_UNDER_2T';
  if (kg < 10_000) return 'TRUCK_2_TO_10T';
  if (kg <= 30_000) return 'TRUCK_10_TO_30T';
  return 'TRUCK_OVER_30T';
}

/** Chapters 01–24 are agricultural and food products, chapter 26 ores; everything else is general cargo. */
export function goodsKindOf(hsCode: string): GoodsKind {
  const chapter = hsChapter(hsCode);
  if (chapter >= 1 && chapter <= 24) return 'AGRICULTURAL';
  if (chapter === 26) return 'ORE';
  return 'GENERAL';
}

const VEHICLE_LABEL: Record<VehicleKind, string> = {
  TRUCK_UNDER_2T: 'truck under 2 t / xe dưới 2 tấn',
  TRUCK_2_TO_10T: 'truck 2–10 t / xe 2–10 tấn',
  TRUCK_10_TO_30T: 'truck 10–30 t / xe 10–30 tấn',
  TRUCK_OVER_30T: 'truck over 30 t / xe trên 30 tấn',
  CONTAINER_20FT: "20' container / container 20 feet",
  CONTAINER_40FT: "40' container / container 40 feet",
};

/** The rate that governs: of this vehicle and goods kind, the most specific for the gate and direction. */
function rateFor(rates: FeeRate[], gate: string, direction: string, vehicleKind: VehicleKind, goodsKind: GoodsKind): FeeRate | undefined {
  const candidates = rates.filter((r) => r.vehicleKind === vehicleKind && r.goodsKind === goodsKind);
  return mostSpecific(candidates, { gate, scope: direction }, (r) => ({ gate: r.gate, scope: r.direction }));
}

/** The collector keeps 10 % of what it collects (rounded to the dong) and remits the rest. */
export function collectorShare(amountVnd: number): number {
  return Math.round(amountVnd / 10);
}

/** A crossing the tariff has no rate for: retrying will not help until an admin sets one. */
export class NoTariffRate extends Error {
  override name = 'NoTariffRate';
}

export function computeInvoice(
  declaration: Pick<Declaration, 'gate' | 'direction' | 'vehicle' | 'containers' | 'goods'>,
  category: Category,
  collector: FeeCollector,
  rates: FeeRate[],
  adjustments: FeeAdjustments,
): Invoice {
  const vehicleKind = vehicleKindOf(declaration);
  const kinds = [...new Set(declaration.goods.map((g) => goodsKindOf(g.hsCode)))];
  // A mixed load pays the highest rate among its goods.
  const candidates = kinds
    .map((kind) => ({ kind, rate: rateFor(rates, declaration.gate, declaration.direction, vehicleKind, kind) }))
    .filter((c): c is { kind: GoodsKind; rate: FeeRate } => !!c.rate);
  if (candidates.length === 0) throw new NoTariffRate(`no tariff rate for ${vehicleKind} at ${declaration.gate}; an admin sets one`);
  const highest = candidates.sort((a, b) => b.rate.amountVnd - a.rate.amountVnd)[0];
  const items: InvoiceItem[] = [
    {
      code: `BASE_${vehicleKind}_${highest.kind}`,
      label: `Infrastructure-use fee / Phí sử dụng công trình hạ tầng: ${VEHICLE_LABEL[vehicleKind]}, ${highest.kind.toLowerCase()} goods`,
      amountVnd: highest.rate.amountVnd,
    },
  ];
  const base = highest.rate.amountVnd;
  const adjust = (code: string, label: string) => {
    const percent = adjustments[code];
    if (percent === undefined) return;
    items.push({ code, label: `${label} (${percent} %)`, amountVnd: Math.round((base * percent) / 100) - base });
  };
  if (category === 'TRANSSHIPMENT') adjust('TRANSSHIPMENT_ONLY', 'Transshipment only / Chỉ sang tải');
  else if (declaration.direction === 'IMPORT') adjust('DOMESTIC_USE', 'Goods for domestic use / Hàng tiêu dùng nội địa');
  const amountVnd = items.reduce((sum, i) => sum + i.amountVnd, 0);
  const collectorShareVnd = collectorShare(amountVnd);
  return { items, amountVnd, collector, collectorShareVnd, remitVnd: amountVnd - collectorShareVnd };
}
