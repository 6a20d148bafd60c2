import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { client, Timed } from '../bench/http';
import type { GateStaffOf } from '../test/system/gate-staff';
import { problem, type Device, type Point } from './devices';
import type { FloorLog } from './floor-log';

type Call = ReturnType<typeof client>;

/** Everything one run shares: the API, the gate, its devices, the people and their tokens, the log. */
export interface Floor {
  call: Call;
  gate: string;
  /** The yard the yard cameras watch. */
  yard: string;
  devices: Record<Point, Device>;
  people: GateStaffOf<string> & { admin: string; company: string };
  log: FloorLog;
  intervalMs: number;
}

/** The pause between two things happening to one truck, so that a person can follow. */
export function pause(floor: Floor, times = 1): Promise<void> {
  return sleep(floor.intervalMs * times);
}

/**
 * A change through the API as a careful client makes it (README, "What a client does on 409 and 503"): one
 * Idempotency-Key per intended change, and the same request again after `Retry-After` while the answer says to
 * come again. Any other refusal is thrown with the API's sentence.
 */
export async function change(floor: Floor, method: string, path: string, token: string, body: unknown, what: string): Promise<Timed> {
  const key = randomUUID();
  for (let attempt = 1; ; attempt++) {
    const res = await floor.call(method, path, { token, body, key });
    const comeAgain = res.status === 503 || (res.status === 409 && res.retryAfter !== undefined);
    if (comeAgain && attempt < 10) {
      await sleep((res.retryAfter || 1) * 1000);
      continue;
    }
    if (res.status >= 400) throw new Error(`${what}: ${res.status} ${problem(res)}`);
    return res;
  }
}

export async function read(floor: Floor, path: string, token: string, what: string): Promise<Timed> {
  const res = await floor.call('GET', path, { token });
  if (res.status !== 200) throw new Error(`${what}: ${res.status} ${problem(res)}`);
  return res;
}

/** `HN-Y1 3/600 (1 reserved)`: the yards of the gate as `GET /v1/gates` counts them now. */
export async function yardsNow(floor: Floor): Promise<string> {
  const gates = (await read(floor, '/v1/gates', floor.people.manager, 'GET /v1/gates')).body as {
    code: string;
    yards: { code: string; capacity: number; occupied: number; reserved?: number }[];
  }[];
  const yards = gates.find((g) => g.code === floor.gate)?.yards ?? [];
  return yards.map((y) => `${y.code} ${y.occupied}/${y.capacity}${y.reserved ? ` (${y.reserved} reserved)` : ''}`).join(', ');
}
