import { randomUUID } from 'node:crypto';
import type { client, Timed } from '../bench/http';
import { signDeviceRequest } from '../api/device-signature';

/**
 * A gate's cameras and barrier controllers as the API sees them (API.md, "Devices and plate reads"): registered by
 * an admin, each with its own secret, and signing every read with it. The simulator and the benchmark's read
 * generator both play devices through these functions, so both send exactly what a real controller would.
 */
export const POINTS = ['BARRIER_ENTRY', 'YARD_ENTRY', 'YARD_EXIT', 'BARRIER_EXIT'] as const;
export type Point = (typeof POINTS)[number];
export type Action = 'OPEN' | 'HOLD' | 'NONE';

/** Barrier controllers stand at the barriers, plate cameras at the yard gates. */
export function kindAt(point: Point): 'BARRIER' | 'CAMERA' {
  return point.startsWith('BARRIER') ? 'BARRIER' : 'CAMERA';
}

export interface Device {
  code: string;
  gate: string;
  point: Point;
  /** Kept in memory only, never printed. */
  secret: string;
}

export interface PlateRead {
  eventId: string;
  plate: string;
  at: string;
  confidence: number;
  imageRef?: string;
}

export interface GateEventAnswer {
  eventId: string;
  crossingId: string | null;
  action: Action;
  reason: string;
}

type Call = ReturnType<typeof client>;

/**
 * Registers a device, or takes over the one registered under that code by an earlier run: a secret is shown only
 * once, so the way back to a known secret is to rotate it (and to enable the device again, should someone have
 * disabled it). `yard` names the yard a yard camera watches; the API needs it at a gate with more than one yard.
 */
export async function registerDevice(
  call: Call,
  adminToken: string,
  spec: { code: string; gate: string; point: Point; yard?: string },
): Promise<Device & { reused: boolean }> {
  const body = { code: spec.code, gate: spec.gate, point: spec.point, kind: kindAt(spec.point), ...(spec.yard ? { yard: spec.yard } : {}) };
  const created = await call('POST', '/v1/admin/devices', { token: adminToken, body, key: randomUUID() });
  if (created.status === 201) return { code: spec.code, gate: spec.gate, point: spec.point, secret: created.body.secret, reused: false };
  if (created.status !== 409) throw new Error(`registering device ${spec.code}: ${created.status} ${problem(created)}`);

  const rotated = await call('PATCH', `/v1/admin/devices/${spec.code}`, {
    token: adminToken,
    body: { disabled: false, rotateSecret: true },
    key: randomUUID(),
  });
  if (rotated.status !== 200 || typeof rotated.body.secret !== 'string') {
    throw new Error(`rotating the secret of device ${spec.code}: ${rotated.status} ${problem(rotated)}`);
  }
  const device = rotated.body.device;
  if (device.gate !== spec.gate || device.point !== spec.point) {
    throw new Error(
      `device ${spec.code} is registered at ${device.gate} ${device.point}, not ${spec.gate} ${spec.point}: pick another code`,
    );
  }
  return { code: spec.code, gate: spec.gate, point: spec.point, secret: rotated.body.secret, reused: true };
}

/** A fresh read of `plate` as of now. */
export function plateRead(plate: string, confidence: number, imageRef?: string): PlateRead {
  return {
    eventId: `read-${randomUUID()}`,
    plate,
    at: new Date().toISOString(),
    confidence,
    ...(imageRef ? { imageRef } : {}),
  };
}

/** Sends one read, signed over the exact bytes that go on the wire. */
export function sendRead(call: Call, device: Device, read: PlateRead): Promise<Timed<GateEventAnswer>> {
  const raw = JSON.stringify(read);
  return call<GateEventAnswer>('POST', '/v1/gate-events', {
    raw,
    headers: { 'x-device': device.code, 'x-signature': signDeviceRequest(device.secret, raw) },
  });
}

/** The sentence of a problem+json answer, for messages (never the request: it may hold a secret). */
export function problem(res: Timed): string {
  const body = res.body as { detail?: string; title?: string } | undefined;
  return body?.detail ?? body?.title ?? '';
}
