import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { session } from '../session';

/**
 * The one way the console talks to the API: a client typed from `/openapi.json` (schema.d.ts, kept equal to it by a
 * test), so a screen cannot send or read a field the API does not have. Every change carries an Idempotency-Key,
 * and a change the API answered 503 (a part was down) or 409 with Retry-After (the same request still running) is
 * sent again with the same key, as API.md tells clients to, so a click is never applied twice.
 */
export type Schemas = components['schemas'];
export type CrossingView = Schemas['CrossingView'];
export type Account = Schemas['Account'];
/**
 * A schema as an answer arrives through the client: openapi-fetch reads a tuple (a `[lat, lon]` point) as an array, so
 * a screen that is handed what `api.GET` answered takes `Read<'Gate'>`, not `Schemas['Gate']`.
 */
type Answer<T> = T extends readonly (infer E)[] ? Answer<E>[] : T extends object ? { [K in keyof T]: Answer<T[K]> } : T;
export type Read<K extends keyof Schemas> = Answer<Schemas[K]>;

/** An answer that is not a success: the API's problem+json, or a sentence of ours when the API could not be reached. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const RETRIES = 4;

const auth: Middleware = {
  onRequest({ request }) {
    // A request that brings its own token (the driver page's link) keeps it: the session's is for the console's accounts.
    const token = session.token();
    if (token && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${token}`);
    if (CHANGES.has(request.method) && !request.headers.has('Idempotency-Key')) request.headers.set('Idempotency-Key', crypto.randomUUID());
    return request;
  },
};

/** Sends again, with the same key, what the API asked to be sent again; waits as long as its Retry-After says. */
async function retryingFetch(request: Request): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(request.clone());
    } catch {
      if (attempt >= RETRIES) throw new Problem(0, 'Offline', 'offline');
      await sleep(1000 * (attempt + 1));
      continue;
    }
    const again = response.status === 503 || (response.status === 409 && response.headers.has('Retry-After'));
    if (!again || attempt >= RETRIES || !CHANGES.has(request.method)) return response;
    await sleep(Math.min(5, Number(response.headers.get('Retry-After')) || 1) * 1000);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const api = createClient<paths>({ baseUrl: '', fetch: retryingFetch });
api.use(auth);

/** The session ends where the API says the token no longer works. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/**
 * The body of a successful answer, or a `Problem` thrown with the API's own sentence: screens show that sentence,
 * never a blank. A 401 ends the session, except for a request sent with a token of its own (`ownToken`: the driver's
 * link), whose refusal says nothing about the account signed in on this tab.
 */
export async function ok<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
  opts: { ownToken?: boolean } = {},
): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    if (err instanceof Problem) throw err;
    throw new Problem(0, 'Offline', 'offline');
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  if (response.status === 401 && session.token() && !opts.ownToken) onUnauthorized();
  const problem = (error ?? {}) as { title?: string; detail?: string; errors?: { path: string; message: string }[] };
  throw new Problem(response.status, problem.title ?? response.statusText, problem.detail ?? response.statusText, problem.errors ?? []);
}

/** A PDF (or any file) the API serves behind the token, opened for the person to read or save. */
export async function openDocument(url: string, filename: string): Promise<void> {
  const response = await fetch(url, { headers: { Authorization: `Bearer ${session.token()}` } });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
    throw new Problem(response.status, problem.title ?? response.statusText, problem.detail ?? response.statusText);
  }
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
