import type { Client } from '@temporalio/client';
import type { ApiSecrets, Config } from '../infra/config';
import type { Services } from '../infra/db/orm';
import type { Logger } from '../infra/logger';
import type { EncryptionCodec } from '../infra/payload-codec';
import type { TokenService } from './auth/tokens';
import type { ApproachDelivery } from './approach-delivery';
import type { ArrivalDelivery } from './arrival-delivery';
import type { CorridorCache } from './corridor-cache';
import type { Cursors } from './cursor';
import type { SecretSeal } from '../infra/secret-seal';
import type { DeviceCredentials } from './device-credentials';
import type { DependencyHealth } from './dependencies';

/** What every route handler may use: configuration, the database, the Temporal client, tokens, the log, dependency health. */
export interface ApiContext {
  config: Config;
  services: Services;
  temporal: Client;
  tokens: TokenService;
  log: Logger;
  codec: EncryptionCodec;
  health: DependencyHealth;
  cursors: Cursors;
  secrets: ApiSecrets;
  /** Opens the devices' sealed secrets to check their signatures. */
  deviceSecrets: SecretSeal;
  /** Seals and opens webhook subscriptions' signing secrets. */
  webhookSecrets: SecretSeal;
  /** Each device's place and opened secret, for its signed requests (kept per process, 2 s at most stale). */
  devices: DeviceCredentials;
  /** Tells crossings' workflows of arrivals after the devices had their answers. */
  arrivals: ArrivalDelivery;
  /** Tells crossings' workflows of their first position in the approach corridor. */
  approaches: ApproachDelivery;
  /** Each gate's approach as geometry, for placing positions (kept per process, 30 s at most stale). */
  corridors: CorridorCache;
}
