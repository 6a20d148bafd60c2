import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * What operators can filter crossings by in the Temporal Web UI. Temporal stores these unencrypted, so they carry
 * only codes: never a plate, a company or a person.
 */
export const CROSSING_STATUS = defineSearchAttributeKey('CrossingStatus', SearchAttributeType.KEYWORD);
export const CROSSING_STEP = defineSearchAttributeKey('CrossingStep', SearchAttributeType.KEYWORD);
export const GATE_CODE = defineSearchAttributeKey('GateCode', SearchAttributeType.KEYWORD);
export const CROSSING_CATEGORY = defineSearchAttributeKey('CrossingCategory', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [CROSSING_STATUS, CROSSING_STEP, GATE_CODE, CROSSING_CATEGORY];
