import type { Request } from 'express';
import { ENDED_STATUSES } from '../domain/crossing-view';
import { driverTokenHash } from '../infra/driver-links';
import type { DriverLinkHolder } from '../infra/db/stores/tracking';
import type { ApiContext } from './context';
import { unauthorized } from './problem';

/** A link still reads this long after its crossing ended, so the driver sees the outcome (API.md). */
export const READABLE_AFTER_END_MS = 24 * 3600_000;

/**
 * The driver's side of the API: a request carrying a driver link's token (`Authorization: Bearer drv_…`) reaches its
 * one crossing and nothing else. Account routes refuse such a token (it is no JWT), and these routes refuse an
 * account's. Checked before the body, like a device's signature, so a stranger learns nothing from validation.
 */
export class DriverAccess {
  private readonly holders = new WeakMap<Request, DriverLinkHolder>();

  constructor(private readonly ctx: ApiContext) {}

  /** The `before` hook of a driver route: 401 unless the token is a live link. */
  readonly check = async (req: Request): Promise<void> => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw unauthorized("Send the driver link's token: \"Authorization: Bearer drv_…\" (the link in the driver's SMS).");
    const hash = driverTokenHash(match[1]);
    const holder = hash && (await this.ctx.services.stores().tracking.holderOf(hash));
    if (!holder) throw unauthorized('This driver link is not valid, or a newer link replaced it; ask the declarant for a new one.');
    if (ended(holder) && Date.now() - Date.parse(holder.updatedAt) > READABLE_AFTER_END_MS) {
      throw unauthorized('This crossing ended more than 24 hours ago; its driver link has expired.');
    }
    this.holders.set(req, holder);
  };

  holder(req: Request): DriverLinkHolder {
    const holder = this.holders.get(req);
    if (!holder) throw unauthorized('No driver link was checked for this request.');
    return holder;
  }
}

export function ended(holder: Pick<DriverLinkHolder, 'status'>): boolean {
  return ENDED_STATUSES.includes(holder.status);
}
