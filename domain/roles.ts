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
