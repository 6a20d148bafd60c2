import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type TypedSearchAttributes } from '@temporalio/common';
import type { Category } from '../domain/category';
import type { CrossingStatus } from '../domain/crossing-status';

/**
 * What operators can filter crossings by in the Temporal Web UI. Temporal stores these unencrypted, so they carry
 * only codes: never a plate, a company or a person.
 */
export const CROSSING_STATUS = defineSearchAttributeKey('CrossingStatus', SearchAttributeType.KEYWORD);
/** Kept only by crossings on the path from before the attributes came with the start (see `CoarseSearchAttributes`). */
export const CROSSING_STEP = defineSearchAttributeKey('CrossingStep', SearchAttributeType.KEYWORD);
export const GATE_CODE = defineSearchAttributeKey('GateCode', SearchAttributeType.KEYWORD);
export const CROSSING_CATEGORY = defineSearchAttributeKey('CrossingCategory', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [CROSSING_STATUS, CROSSING_STEP, GATE_CODE, CROSSING_CATEGORY];

/**
 * The attributes a crossing carries from its start: its status, gate and category, which change at most at its end
 * (and the category at a resubmission). Where it stands within its steps is the read model's to say, not Temporal's:
 * a step kept here would cost an upsert, a history event and a visibility write at every decision (Temporal's CPU per
 * crossing fell by a fifth without them, `npm run bench`).
 */
export interface CoarseSearchAttributes {
  status: CrossingStatus;
  gate: string;
  category: Category;
}

export function searchAttributePairs(values: CoarseSearchAttributes): SearchAttributePair[] {
  return [
    { key: CROSSING_STATUS, value: values.status },
    { key: GATE_CODE, value: values.gate },
    { key: CROSSING_CATEGORY, value: values.category },
  ];
}

/** One string for comparing what is set with what should be. */
export function searchAttributesKey(values: CoarseSearchAttributes): string {
  return [values.status, values.gate, values.category].join('|');
}

/** The key of what the starter set, or undefined for a crossing started without them (before they were set at start). */
export function keyOfStartAttributes(attributes: TypedSearchAttributes): string | undefined {
  const status = attributes.get(CROSSING_STATUS);
  const gate = attributes.get(GATE_CODE);
  const category = attributes.get(CROSSING_CATEGORY);
  if (status === undefined || gate === undefined || category === undefined) return undefined;
  return searchAttributesKey({ status, gate, category } as CoarseSearchAttributes);
}
