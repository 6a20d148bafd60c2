export const ROLES = [
  'DECLARANT',
  'HEALTH_OFFICER',
  'BORDER_GUARD',
  'QUARANTINE_OFFICER',
  'CUSTOMS_OFFICER',
  'YARD_OPERATOR',
  'FEE_COLLECTOR',
  'MANAGER',
  'ADMIN',
  /** Provincial traffic police: read the approach roads of their gates, send orders to drivers en route (v2). */
  'TRAFFIC_POLICE',
  /**
   * A partner authority's system (the customs of the other side, the National Single Window): receives a status-only
   * feed of the crossings at its gates through webhooks, and reads no crossing through the API (v2).
   */
  'PARTNER',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that decide a step of a crossing at the gates they serve. */
export const AGENCY_ROLES: readonly Role[] = [
  'HEALTH_OFFICER',
  'BORDER_GUARD',
  'QUARANTINE_OFFICER',
  'CUSTOMS_OFFICER',
  'YARD_OPERATOR',
  'FEE_COLLECTOR',
];

/**
 * The gate rule, for every role alike: an account acts and sees only at the gates it serves; an admin serves them all.
 * A crossing at a gate an account does not serve is, to that account, no crossing at all (API.md: 404).
 */
export function servesGate(account: { role: Role; gates: readonly string[] }, gate: string): boolean {
  const scope = gateScope(account);
  return scope === undefined || scope.includes(gate);
}

/** The same rule for lists: the gates whose crossings an account sees, or undefined for every gate (an admin). */
export function gateScope(account: { role: Role; gates: readonly string[] }): readonly string[] | undefined {
  return account.role === 'ADMIN' ? undefined : account.gates;
}
