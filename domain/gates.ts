/** Who collects the infrastructure-use fee at a gate. */
export const FEE_COLLECTORS = ['GATE_MANAGEMENT_CENTRE', 'TAX_AUTHORITY'] as const;
export type FeeCollector = (typeof FEE_COLLECTORS)[number];

/** Gate codes are upper-case words joined by underscores (`HUU_NGHI`); the list of gates lives in PostgreSQL. */
export const GATE_CODE = /^[A-Z][A-Z0-9_]{1,31}$/;
