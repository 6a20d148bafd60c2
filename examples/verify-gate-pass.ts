/**
 * Checks a gate pass with no connection to the platform, as a barrier's verifier would.
 *
 *   node --import tsx examples/verify-gate-pass.ts '<text of the QR code>' keys.json
 *
 * `keys.json` is what `GET /.well-known/gate-pass-keys` answered, fetched while the verifier had a connection:
 *   curl -s http://127.0.0.1:3000/.well-known/gate-pass-keys > keys.json
 * The QR of a gate pass holds the online link and, after `#`, the signed pass. Exit code 0 when the pass is valid.
 */
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import { verifyGatePass } from '../infra/gate-pass-signature';

const [qrText, keysFile] = process.argv.slice(2);
if (!qrText || !keysFile) {
  process.stderr.write("usage: node --import tsx examples/verify-gate-pass.ts '<QR text>' keys.json\n");
  process.exit(2);
}
const { keys } = JSON.parse(fs.readFileSync(keysFile, 'utf8')) as { keys: { pem: string }[] };
const result = verifyGatePass(
  qrText,
  keys.map((k) => createPublicKey(k.pem)),
);
if (result.valid) {
  const f = result.fields;
  process.stdout.write(
    `VALID gate pass: ${f.plate}${f.trailer ? ` (trailer ${f.trailer})` : ''}, ${f.direction} at ${f.gate}, cleared ${f.clearedAt}, crossing ${f.id}\n`,
  );
} else {
  process.stdout.write(`NOT VALID: ${result.reason}\n`);
  process.exit(1);
}
