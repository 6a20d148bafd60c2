import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { loadTemporalConnection } from '../infra/temporal-connection';

/** An operator points the processes at a real cluster with the variables the `temporal` CLI reads (no server needed). */
describe('the Temporal connection of a real cluster', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-connection-'));
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  const cert = file('client.pem', 'CERTIFICATE');
  const key = file('client.key', 'PRIVATE KEY');
  const ca = file('ca.pem', 'CA');
  // No developer's ~/.config/temporalio/temporal.toml may take part.
  const base = { HOME: dir, TEMPORAL_CONFIG_FILE: file('empty.toml', '[profile.default]\n') };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('connects in plain gRPC to the namespace "default" when only an address is given', () => {
    const settings = loadTemporalConnection({ ...base, TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    expect(settings.options()).toEqual({ address: '127.0.0.1:7233' });
    expect(settings.describe()).toEqual({ address: '127.0.0.1:7233', namespace: 'default', tls: 'off', apiKey: false });
  });

  it('takes mutual TLS from the certificate, key and CA files, with the server name', () => {
    const settings = loadTemporalConnection({
      ...base,
      TEMPORAL_ADDRESS: 'gates.a1b2c.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'gates.a1b2c',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    const tls = settings.options().tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array }; serverNameOverride: string };
    expect(Buffer.from(tls.clientCertPair.crt).toString()).toBe('CERTIFICATE');
    expect(Buffer.from(tls.clientCertPair.key).toString()).toBe('PRIVATE KEY');
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(settings.describe()).toMatchObject({ namespace: 'gates.a1b2c', tls: 'mutual', apiKey: false });
  });

  it('turns TLS on with an API key, and never shows the key when the settings are logged', () => {
    const settings = loadTemporalConnection({
      ...base,
      TEMPORAL_ADDRESS: 'eu.aws.api.temporal.io:7233',
      TEMPORAL_API_KEY: 'sk-very-secret',
    });
    expect(settings.options()).toMatchObject({ apiKey: 'sk-very-secret', tls: true });
    expect(settings.describe()).toMatchObject({ tls: 'on', apiKey: true });
    expect(JSON.stringify({ settings })).not.toContain('sk-very-secret');
    expect(util.inspect(settings)).not.toContain('sk-very-secret');
  });

  it('reads a profile of the config file named by TEMPORAL_PROFILE, the variables taking precedence', () => {
    const toml = file('temporal.toml', '[profile.border]\naddress = "cluster:7233"\nnamespace = "border"\n');
    const settings = loadTemporalConnection({
      HOME: dir,
      TEMPORAL_CONFIG_FILE: toml,
      TEMPORAL_PROFILE: 'border',
      TEMPORAL_NAMESPACE: 'override',
    });
    expect(settings.describe()).toMatchObject({ address: 'cluster:7233', namespace: 'override' });
  });

  it.each([
    [{ TEMPORAL_TLS: 'yes' }, /^TEMPORAL_TLS must be true or false, not "yes"$/],
    [{ TEMPORAL_TLS_CLIENT_CERT_PATH: cert }, /go together: mutual TLS needs both the certificate and its key/],
    [
      { TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'missing.pem') },
      /^TEMPORAL_TLS_SERVER_CA_CERT_PATH names .*missing\.pem, which cannot be read \(ENOENT\)$/,
    ],
    [{ TEMPORAL_API_KEY: 'sk-very-secret', TEMPORAL_TLS: 'false' }, /would send it in clear text/],
    [{ TEMPORAL_PROFILE: 'nowhere' }, /has no profile "nowhere" \(TEMPORAL_PROFILE\)/],
    [{ TEMPORAL_CONFIG_FILE: file('broken.toml', 'api_key = "sk-very-secret" [[[') }, /cannot be read as TOML$/],
  ])('refuses a wrong setting at start with a sentence (%j)', (env, sentence) => {
    const attempt = () => loadTemporalConnection({ ...base, TEMPORAL_ADDRESS: 'cluster:7233', ...env });
    expect(attempt).toThrow(sentence);
    expect(attempt).not.toThrow(/sk-very-secret/);
  });
});
