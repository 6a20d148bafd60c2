import { createHash, randomBytes } from 'node:crypto';
import { driverMessage, type NotificationDraft } from '../domain/notifications';

/**
 * The driver's link (API.md "Driver tracking and traffic flow"): a random token scoped to one crossing, for a phone
 * with no account. The link table keeps only its SHA-256 (`driver_link.token_hash`); the token itself travels in the
 * answer to whoever issued it and in the SMS, whose stored copy loses it once a provider has sent it
 * (`NotificationStore.markSent`), so a copy of the database opens no crossing. The token sits in the URL's fragment
 * (`#/driver?t=…`), which browsers never send to a server, so it stays out of access logs and proxies.
 */
const PREFIX = 'drv_';
const TOKEN = /^drv_[A-Za-z0-9_-]{32}$/;

export interface DriverLink {
  token: string;
  tokenHash: string;
  url: string;
}

export function newDriverLink(publicUrl: string): DriverLink {
  const token = PREFIX + randomBytes(24).toString('base64url');
  return { token, tokenHash: hashDriverToken(token), url: driverPageUrl(publicUrl, token) };
}

/** The hash of a well-formed token, or undefined for anything else (which then matches no link). */
export function driverTokenHash(token: string): string | undefined {
  return TOKEN.test(token) ? hashDriverToken(token) : undefined;
}

function hashDriverToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function driverPageUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/#/driver?t=${token}`;
}

/** The SMS that carries a link to the driver's phone; undefined when the declaration gave no phone. */
export function driverLinkSms(
  crossing: { id: string; gate: string; gateName?: string; plate: string; driver: { phone?: string | null; nationality: string } },
  url: string,
  issuedAt: Date,
): NotificationDraft | undefined {
  const facts = { gate: crossing.gate, gateName: crossing.gateName, plate: crossing.plate, url };
  return driverMessage('DRIVER_LINK', facts, crossing.driver, {
    messageId: `driver-link:${crossing.id}:${issuedAt.getTime()}`,
    crossingId: crossing.id,
  });
}
