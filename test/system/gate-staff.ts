import type { Role } from '../../domain/roles';

/**
 * The people at one gate, as the tests and the benchmark both set them up: one account per agency role and a manager,
 * each made through the API as an admin would. Kept free of jest and of either one's HTTP client (each passes its
 * own `post`), so bench/ and test/ share it without importing each other's internals.
 */
export const GATE_STAFF_ROLES = {
  health: 'HEALTH_OFFICER',
  guard: 'BORDER_GUARD',
  quarantine: 'QUARANTINE_OFFICER',
  customs: 'CUSTOMS_OFFICER',
  yard: 'YARD_OPERATOR',
  fees: 'FEE_COLLECTOR',
  manager: 'MANAGER',
} as const satisfies Record<string, Role>;

export type GateStaffOf<T> = { -readonly [who in keyof typeof GATE_STAFF_ROLES]: T };

/** A JSON POST through the caller's client: the answer's status and parsed body. */
export type Post = (path: string, body: unknown, token?: string) => Promise<{ status: number; body: any }>;

/** One of each of the gate's people, made one after another by `make` (an account of that role, logged in). */
export async function gateStaff<T>(make: (role: Role) => Promise<T>): Promise<GateStaffOf<T>> {
  const staff: Partial<GateStaffOf<T>> = {};
  for (const [who, role] of Object.entries(GATE_STAFF_ROLES)) staff[who as keyof typeof GATE_STAFF_ROLES] = await make(role);
  return staff as GateStaffOf<T>;
}

/** Creates an account as the admin and logs it in; fails loudly when either is refused. */
export async function createAccount(
  post: Post,
  adminToken: string,
  account: { username: string; password: string; role: Role; gates: string[]; companyTaxCode?: string },
): Promise<{ id: string; token: string }> {
  const created = await post('/v1/accounts', account, adminToken);
  if (created.status !== 201) throw new Error(`creating ${account.role} failed: ${created.status} ${JSON.stringify(created.body)}`);
  // A 503 says to retry shortly (API.md), and logging in changes nothing: a machine busy with other suites gets a few tries.
  let login = await post('/v1/auth/login', { username: account.username, password: account.password });
  for (let tries = 1; login.status === 503 && tries < 5; tries++) {
    await new Promise((r) => setTimeout(r, 1000 * tries));
    login = await post('/v1/auth/login', { username: account.username, password: account.password });
  }
  if (login.status !== 200) throw new Error(`login ${account.username} failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: created.body.id, token: login.body.token };
}
