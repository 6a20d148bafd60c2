import jsQR from 'jsqr';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { system } from './client';

/** What a scanner reads from the QR code on the first page of a PDF (rasterised with pdftoppm, read with jsQR). */
export function qrOf(file: string): string | undefined {
  // A grey-scale raster of the page (binary PGM: "P5 width height 255" then one byte per pixel).
  const pgm = execFileSync('pdftoppm', ['-r', '150', '-gray', '-singlefile', '-f', '1', '-l', '1', file], { maxBuffer: 64 << 20 });
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.subarray(0, 40).toString('latin1'))!;
  const [width, height] = [Number(header[1]), Number(header[2])];
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    rgba.fill(pgm[header[0].length + i], i * 4, i * 4 + 3);
    rgba[i * 4 + 3] = 255;
  }
  return jsQR(rgba, width, height)?.data;
}

/** Downloads a crossing's document and reads its text back with pdftotext (poppler-utils), as a person would see it. */
export async function pdfText(
  token: string,
  crossingId: string,
  kind: string,
): Promise<{ status: number; type: string | null; text: string; pages?: number; file?: string }> {
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
  return { status: 200, type: res.headers.get('content-type'), text, pages, file: path.join(keep, `${kind}.pdf`) };
}
