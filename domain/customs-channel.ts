/**
 * Customs' channel for a crossing's inspection. Kept apart from the gate floor's schemas (gate-points.ts, which
 * re-exports these) so the workflow imports no zod: its bundle's modules are evaluated once per workflow.
 */
export const CUSTOMS_CHANNELS = ['GREEN', 'YELLOW', 'RED'] as const;
export type CustomsChannel = (typeof CUSTOMS_CHANNELS)[number];
/** Until the customs system assigns one, a declaration is treated as red: physical inspection. */
export const DEFAULT_CUSTOMS_CHANNEL: CustomsChannel = 'RED';
