/** A timestamp as PostgreSQL's driver hands it (a Date or, for some columns and expressions, a string), in ISO 8601 UTC. */
export const iso = (at: Date | string): string => new Date(at).toISOString();
