import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { system } from './client';

/** Downloads a crossing's document and reads its text back with pdftotext (poppler-utils), as a person would see it. */
export async function pdfText(
  token: string,
  crossingId: string,
  kind: string,
): Promise<{ status: number; type: string | null; text: string; pages?: number }> {
  const res = await fetch(`${system().apiUrl}/v1/crossings/${crossingId}/documents/${kind}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) return { status: res.status, type: res.headers.get('content-type'), text: '' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-'));
  const file = path.join(dir, `${kind}.pdf`);
  fs.writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1]);
  // Keep the last of each kind for a look by eye: `pdftoppm -png -r 60 .data/test-run/documents/<kind>.pdf`.
  const keep = path.join(system().dataDir, 'documents');
  fs.mkdirSync(keep, { recursive: true });
  fs.copyFileSync(file, path.join(keep, `${kind}.pdf`));
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: 200, type: res.headers.get('content-type'), text, pages };
}
