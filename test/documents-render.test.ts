import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderPdf, type DocumentContent } from '../activities/documents/render';
import { qrOf } from './system/pdf';

/** The PDF renderer on its own: what a person (or a scanner) gets back from the file, document after document. */
describe('document rendering', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'render-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = async (name: string, content: DocumentContent) => {
    const file = path.join(dir, `${name}.pdf`);
    fs.writeFileSync(file, await renderPdf(content));
    return file;
  };
  const text = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
  const base = { gateName: 'Hữu Nghị', rows: [] as [string, string][], footer: 'footer' };

  it('keeps every Vietnamese letter searchable in every document, not only the first (the fonts are parsed once)', async () => {
    // Subsetting "ộ", "ừ" and "ỹ" looks up their base letters "ô", "ư" and "y" as accent components.
    const first = await write('first', { ...base, title: 'Hội đồng — Từ chối — Mỹ' });
    const second = await write('second', { ...base, title: 'Thông báo trả hồ sơ — Bước — Máy soi' });
    expect(text(first)).toContain('Hội đồng — Từ chối — Mỹ');
    expect(text(second)).toContain('Thông báo trả hồ sơ — Bước — Máy soi');
  });

  it('prints ids and codes as their own letters, never as ligatures (an "ff" in a crossing id stays searchable)', async () => {
    const id = '5abc5f66-cad1-42b5-885a-2085964ffd38';
    const file = await write('ids', {
      ...base,
      title: 'Gate pass',
      rows: [['Crossing', id]],
      qr: { url: `http://x/v1/verify/fiffl`, caption: 'c' },
    });
    expect(text(file)).toContain(id);
    expect(text(file)).toContain('/v1/verify/fiffl');
  });

  it('draws a QR code that a scanner reads back as the printed link', async () => {
    const url = 'http://127.0.0.1:3000/v1/verify/AbCdEfGhIjKlMnOpQrStUv';
    const file = await write('qr', { ...base, title: 'Giấy thông quan / Gate pass', qr: { url, caption: 'Quét để xác minh' } });
    expect(qrOf(file)).toBe(url);
    expect(text(file)).toContain(url);
  });
});
