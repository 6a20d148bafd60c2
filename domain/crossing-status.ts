/**
 * A crossing's status (API.md "Crossing view"). Kept apart from the view's schemas (crossing-view.ts, which
 * re-exports these) so the workflow imports no zod: its bundle's modules are evaluated once per workflow.
 */
export const CROSSING_STATUSES = ['IN_PROGRESS', 'AWAITING_CORRECTION', 'CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'] as const;
export type CrossingStatus = (typeof CROSSING_STATUSES)[number];
export const ENDED_STATUSES: readonly CrossingStatus[] = ['CLEARED', 'DENIED', 'EXPIRED', 'CANCELLED'];
