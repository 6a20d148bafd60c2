import type { Declaration } from './declaration';
import { hsChapter } from './identifiers';
import type { Role } from './roles';

/**
 * The step catalogue: the order a truck passes the agencies, who decides each step, and when a step applies.
 * `declaration` is the declarant's own step; every other step is decided by one agency role.
 */
export const STEPS = [
  'declaration',
  'health-check',
  'border-entry',
  'quarantine',
  'transshipment', // sang tải
  'customs-inspection', // kiểm hóa
  'fee-payment',
  'border-exit',
] as const;
export type Step = (typeof STEPS)[number];

/** Steps an agency decides through `POST /v1/crossings/{id}/steps/{step}/decision`. */
export const DECISION_STEPS = STEPS.filter((s): s is Exclude<Step, 'declaration'> => s !== 'declaration');
export type DecisionStep = (typeof DECISION_STEPS)[number];

export const STEP_OWNER: Record<DecisionStep, Role> = {
  'health-check': 'HEALTH_OFFICER',
  'border-entry': 'BORDER_GUARD',
  quarantine: 'QUARANTINE_OFFICER',
  transshipment: 'CUSTOMS_OFFICER',
  'customs-inspection': 'CUSTOMS_OFFICER',
  'fee-payment': 'FEE_COLLECTOR',
  'border-exit': 'BORDER_GUARD',
};

/** The steps whose work queue an agency role works (the API's queues and the console's alike). */
export function stepsOf(role: Role): DecisionStep[] {
  const steps = (Object.entries(STEP_OWNER) as [DecisionStep, Role][]).filter(([, owner]) => owner === role).map(([step]) => step);
  // The yard operator confirms transfers: its queue is the transshipment step.
  return role === 'YARD_OPERATOR' ? ['transshipment'] : steps;
}

/** Animal quarantine covers HS chapters 01–05, plant quarantine 06–14. */
export function needsQuarantine(declaration: Pick<Declaration, 'goods'>): boolean {
  return declaration.goods.some((line) => {
    const chapter = hsChapter(line.hsCode);
    return chapter >= 1 && chapter <= 14;
  });
}

export function stepApplies(step: Step, declaration: Pick<Declaration, 'goods' | 'transshipment'>): boolean {
  if (step === 'quarantine') return needsQuarantine(declaration);
  if (step === 'transshipment') return declaration.transshipment;
  return true;
}
