import type { Services } from '../infra/db/orm';
import { publicDevice, type DeviceRow } from '../infra/db/stores/devices';
import type { Logger } from '../infra/logger';
import type { SecretSeal } from '../infra/secret-seal';

/**
 * How long an API process believes a device's credentials without reading them again. A device an admin disables, or
 * whose secret is rotated, is refused at once by the process that made the change and within this long by every
 * other (README "The gate floor").
 */
export const DEVICE_CREDENTIALS_MS = 2000;

/** What a signed request needs of its device: its place on the floor and its secret, opened (none when it does not open). */
export interface DeviceCredential {
  device: DeviceRow;
  secret: string | undefined;
}

/**
 * Devices' credentials kept per API process, so that a plate read costs neither a database round trip nor an AES-GCM
 * opening for its signature (issue 16: a barrier waits for the answer). Only registered devices are kept; an unknown
 * code is asked again each time, so a device registered through another process works at once.
 */
export class DeviceCredentials {
  private readonly kept = new Map<string, { at: number; credential: Promise<DeviceCredential | undefined> }>();

  constructor(
    private readonly services: Services,
    private readonly seal: SecretSeal,
    private readonly log: Logger,
  ) {}

  of(code: string): Promise<DeviceCredential | undefined> {
    const entry = this.kept.get(code);
    if (entry && Date.now() - entry.at < DEVICE_CREDENTIALS_MS) return entry.credential;
    const fresh = { at: Date.now(), credential: this.load(code) };
    // A failed read, a device that does not exist and a secret that does not open are not kept: the next request asks
    // again (a secret rotated through another process then counts at once).
    const drop = () => {
      if (this.kept.get(code) === fresh) this.kept.delete(code);
    };
    void fresh.credential.then((c) => {
      if (!c || c.secret === undefined) drop();
    }, drop);
    this.kept.set(code, fresh);
    return fresh.credential;
  }

  /** An admin changed the device through this process: its next request reads it again. */
  forget(code: string): void {
    this.kept.delete(code);
  }

  private async load(code: string): Promise<DeviceCredential | undefined> {
    const found = await this.services.stores().devices.find(code);
    return found && { device: publicDevice(found), secret: this.open(found) };
  }

  /**
   * The device's secret, or none when its sealed form does not open (DEVICE_SECRET_KEY changed, or the row was edited):
   * the device is then refused like a stranger, and an admin rotates its secret.
   */
  private open(device: { code: string; secretSealed: string }): string | undefined {
    try {
      return this.seal.open(device.secretSealed);
    } catch {
      this.log.error({ device: device.code }, 'a device secret does not open with DEVICE_SECRET_KEY; rotate the secret');
      return undefined;
    }
  }
}
