import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeviceKind, GatePoint } from '../../../domain/gate-floor';
import { sqlOf } from '../orm';

/** A device as admins see it: never its secret. */
export interface DeviceRow {
  code: string;
  gate: string;
  point: GatePoint;
  kind: DeviceKind;
  yard: string | null;
  disabled: boolean;
  createdAt: string;
  secretRotatedAt: string;
}

/** What a signed request needs of its device: its place on the floor and its sealed secret. */
export interface DeviceCredential extends DeviceRow {
  secretSealed: string;
}

interface Row {
  code: string;
  gate_code: string;
  point: GatePoint;
  kind: DeviceKind;
  yard_code: string | null;
  disabled_at: Date | string | null;
  created_at: Date | string;
  secret_rotated_at: Date | string;
  secret_sealed: string;
}

const COLUMNS = 'code, gate_code, point, kind, yard_code, disabled_at, created_at, secret_rotated_at, secret_sealed';

function deviceOf(r: Row): DeviceCredential {
  return {
    code: r.code,
    gate: r.gate_code,
    point: r.point,
    kind: r.kind,
    yard: r.yard_code,
    disabled: r.disabled_at !== null,
    createdAt: new Date(r.created_at).toISOString(),
    secretRotatedAt: new Date(r.secret_rotated_at).toISOString(),
    secretSealed: r.secret_sealed,
  };
}

/** Without the sealed secret: what leaves the store for an admin. */
export function publicDevice({ secretSealed: _secret, ...device }: DeviceCredential): DeviceRow {
  return device;
}

/** Cameras and barrier controllers, registered by admins per gate and point (API.md "Devices and plate reads"). */
export class DeviceStore {
  constructor(private readonly em: EntityManager) {}

  /** Registers a device; undefined when the code is taken. */
  async create(device: {
    code: string;
    gate: string;
    point: GatePoint;
    kind: DeviceKind;
    yard: string | null;
    secretSealed: string;
    createdBy: string;
  }): Promise<DeviceCredential | undefined> {
    const [row] = await sqlOf(this.em)<Row>(
      `insert into device (code, gate_code, point, kind, yard_code, secret_sealed, created_by) values (?, ?, ?, ?, ?, ?, ?)
       on conflict (code) do nothing returning ${COLUMNS}`,
      [device.code, device.gate, device.point, device.kind, device.yard, device.secretSealed, device.createdBy],
    );
    return row && deviceOf(row);
  }

  async find(code: string): Promise<DeviceCredential | undefined> {
    const [row] = await sqlOf(this.em)<Row>(`select ${COLUMNS} from device where code = ?`, [code]);
    return row && deviceOf(row);
  }

  async list(): Promise<DeviceRow[]> {
    const rows = await sqlOf(this.em)<Row>(`select ${COLUMNS} from device order by gate_code, point, code`);
    return rows.map((r) => publicDevice(deviceOf(r)));
  }

  /** Disables or enables a device, and replaces its secret; undefined when there is no such device. */
  async change(code: string, change: { disabled?: boolean; secretSealed?: string }): Promise<DeviceCredential | undefined> {
    const [row] = await sqlOf(this.em)<Row>(
      `update device set
         disabled_at = case when ?::boolean is null then disabled_at when ?::boolean then coalesce(disabled_at, now()) else null end,
         secret_sealed = coalesce(?, secret_sealed),
         secret_rotated_at = case when ?::text is null then secret_rotated_at else now() end,
         updated_at = now()
       where code = ? returning ${COLUMNS}`,
      [change.disabled ?? null, change.disabled ?? null, change.secretSealed ?? null, change.secretSealed ?? null, code],
    );
    return row && deviceOf(row);
  }

  /** The gate's yards, for a yard device that does not name its yard (a gate with one yard). */
  async yardsOf(gate: string): Promise<string[]> {
    const rows = await sqlOf(this.em)<{ code: string }>('select code from yard where gate_code = ? order by code', [gate]);
    return rows.map((r) => r.code);
  }
}
