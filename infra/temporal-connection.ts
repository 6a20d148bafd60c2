import fs from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';

/**
 * How the processes reach Temporal: the address and namespace, and for a real cluster TLS (mutual or not), an API key
 * and gRPC headers, all read by `@temporalio/envconfig` from its standard variables (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH,
 * TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME, TEMPORAL_GRPC_META_*) over a profile of its TOML file
 * (TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, else ~/.config/temporalio/temporal.toml): the same settings the `temporal`
 * CLI reads, so an operator configures both once.
 *
 * The worker's NativeConnection, its client Connection and the API's lazy Connection all take `options()`, so the
 * three cannot disagree. envconfig itself accepts some wrong settings quietly (a certificate without its key is plain
 * TLS, `TEMPORAL_TLS=yes` turns TLS off); those are refused here, at start, with a sentence. The API key, the client
 * key and the gRPC headers are held in a private field: logging the settings shows only what is in use.
 */
export class TemporalConnectionSettings {
  readonly #secret: { apiKey?: string; tls?: TLSConfig | boolean; metadata?: Record<string, string> };

  constructor(
    readonly address: string | undefined,
    readonly namespace: string,
    secret: { apiKey?: string; tls?: TLSConfig | boolean; metadata?: Record<string, string> },
  ) {
    this.#secret = secret;
  }

  /** For `NativeConnection.connect`, `Connection.connect` and `Connection.lazy` alike. */
  options(): { address: string | undefined; apiKey?: string; tls?: TLSConfig | boolean; metadata?: Record<string, string> } {
    return { address: this.address, ...this.#secret };
  }

  /** What the start line says: no secret, only which kinds are in use. */
  describe(): { address: string | undefined; namespace: string; tls: 'off' | 'on' | 'mutual'; apiKey: boolean } {
    const { tls, apiKey } = this.#secret;
    const mode = !tls ? 'off' : typeof tls === 'object' && tls.clientCertPair ? 'mutual' : 'on';
    return { address: this.address, namespace: this.namespace, tls: mode, apiKey: apiKey !== undefined };
  }

  toJSON(): ReturnType<TemporalConnectionSettings['describe']> {
    return this.describe();
  }
}

const PATH_VARIABLES = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_CONFIG_FILE',
];

export function loadTemporalConnection(env: NodeJS.ProcessEnv = process.env): TemporalConnectionSettings {
  // envconfig reads '' as a value (an empty address, TLS off); the rest of the configuration reads it as unset.
  const given = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  const tlsFlag = given.TEMPORAL_TLS;
  if (tlsFlag !== undefined && !['true', 'false', '1', '0'].includes(tlsFlag)) {
    throw new Error(`TEMPORAL_TLS must be true or false, not "${tlsFlag}"`);
  }
  for (const name of PATH_VARIABLES) {
    const file = given[name];
    if (file === undefined) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      throw new Error(`${name} names ${file}, which cannot be read (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  if ((given.TEMPORAL_TLS_CLIENT_CERT_PATH === undefined) !== (given.TEMPORAL_TLS_CLIENT_KEY_PATH === undefined)) {
    throw new Error(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: mutual TLS needs both the certificate and its key',
    );
  }

  let loaded: ReturnType<typeof loadClientConnectConfig>;
  try {
    loaded = loadClientConnectConfig({ overrideEnvVars: given });
  } catch (err) {
    // Not the parser's message: it may quote the file, and the file may hold an API key.
    const where = given.TEMPORAL_CONFIG_FILE ?? 'the Temporal config file (~/.config/temporalio/temporal.toml)';
    const profile = given.TEMPORAL_PROFILE;
    const why =
      /not found/.test((err as Error).message) && profile ? `has no profile "${profile}" (TEMPORAL_PROFILE)` : 'cannot be read as TOML';
    throw new Error(`${where} ${why}`);
  }
  const { address, apiKey, tls, metadata } = loaded.connectionOptions;
  if (apiKey !== undefined && tls === false) {
    throw new Error('TEMPORAL_API_KEY is sent with every call: TEMPORAL_TLS=false would send it in clear text');
  }
  return new TemporalConnectionSettings(address, loaded.namespace ?? 'default', {
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(tls !== undefined && tls !== null ? { tls } : {}),
    // Strings only: envconfig fills them from TEMPORAL_GRPC_META_* and the TOML file, never binary headers.
    ...(metadata !== undefined ? { metadata: metadata as Record<string, string> } : {}),
  });
}
