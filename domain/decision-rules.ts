import type { Decision } from './decision';

/**
 * What makes a decision unfit for its step beyond its own shape: a direct payment is confirmed with the collector's
 * receipt number. The API answers it as a 400 naming the field; the crossing's rules refuse it too.
 */
// Kept apart from the schemas (no zod here): the workflow's rules use it too, and its bundle stays small.
export function decisionProblem(
  step: string,
  decision: Pick<Decision, 'outcome' | 'receiptNo'>,
): { path: string; message: string; sentence: string } | undefined {
  if (step === 'fee-payment' && decision.outcome === 'APPROVE' && !decision.receiptNo) {
    return {
      path: 'receiptNo',
      message: 'is required to approve fee-payment',
      sentence: 'A direct payment is confirmed with its receipt number (receiptNo).',
    };
  }
  return undefined;
}
