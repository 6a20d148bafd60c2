import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import type { Role } from '../../domain/roles';
import type { LaunchedSystem } from '../../infra/launch-system';
import { createAccount, type Post } from './gate-staff';
export { declaration } from './fixtures';

/** What a test needs to talk to the system the global set-up started: HTTP, and PostgreSQL for checking rows. */
export function system(): LaunchedSystem {
  const file = process.env.TEST_SYSTEM_FILE;
  if (!file) throw new Error('TEST_SYSTEM_FILE is not set: run the tests with jest, whose global set-up starts the system');
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export interface HttpAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export async function http<T = any>(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; baseUrl?: string } = {},
): Promise<HttpAnswer<T>> {
  const res = await fetch(`${opts.baseUrl ?? system().apiUrl}${path}`, {
    method,
    headers: {
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T, headers: res.headers };
}

/**
 * A request as API.md tells clients to send a change: with an Idempotency-Key, and again with the same key after a
 * 503 (outcome unknown, or nothing changed) or a 409 for a request still running (both come with Retry-After), until
 * the real answer comes or `timeoutMs` passes.
 */
export async function httpRetrying<T = any>(
  method: string,
  path: string,
  opts: Parameters<typeof http>[2] & { key: string; timeoutMs?: number },
): Promise<HttpAnswer<T> & { attempts: number }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (let attempts = 1; ; attempts++) {
    const res = await http<T>(method, path, { ...opts, headers: { ...opts.headers, 'Idempotency-Key': opts.key } }).catch(() => undefined);
    const retry = !res || res.status === 503 || (res.status === 409 && res.headers.get('retry-after') !== null);
    if (res && (!retry || Date.now() > deadline)) return { ...res, attempts };
    if (!res && Date.now() > deadline) throw new Error(`${method} ${path} never answered`);
    const after = Number(res?.headers.get('retry-after') ?? 1);
    await new Promise((r) => setTimeout(r, Math.min(after, 2) * 1000));
  }
}

export async function login(username: string, password: string): Promise<string> {
  const res = await http('POST', '/v1/auth/login', { body: { username, password } });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

let adminToken: string | undefined;
export async function asAdmin(): Promise<string> {
  adminToken ??= await login('admin', system().adminPassword);
  return adminToken;
}

export interface TestAccount {
  id: string;
  username: string;
  password: string;
  token: string;
  companyTaxCode?: string;
}

/** A new account of the role, serving the gates, logged in. Usernames are unique per call. */
export async function account(role: Role, gates: string[] = ['HUU_NGHI'], extra: { companyTaxCode?: string } = {}): Promise<TestAccount> {
  const username = `${role.toLowerCase().replace(/_/g, '-')}-${randomUUID().slice(0, 8)}`;
  const password = 'correct horse battery';
  const companyTaxCode =
    role === 'DECLARANT' ? (extra.companyTaxCode ?? `01${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`) : undefined;
  const post: Post = (path, body, token) => http('POST', path, { body, token });
  const { id, token } = await createAccount(post, await asAdmin(), { username, password, role, gates, companyTaxCode });
  return { id, username, password, token, companyTaxCode };
}

let pool: pg.Pool | undefined;
export function db(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: system().databaseUrl, max: 2 });
  return pool;
}

// Also used outside jest (the replay capture script), where there is no afterAll.
if (typeof afterAll === 'function')
  afterAll(async () => {
    await pool?.end();
    pool = undefined;
  });
