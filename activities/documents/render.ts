import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/**
 * The paper every party at the gate wants: A4 PDFs in Vietnamese and English, with a font that carries Vietnamese
 * diacritics (DejaVu Sans from the npm package `dejavu-fonts-ttf`).
 */
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
const BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

export interface DocumentContent {
  title: string; // "Giấy thông hành / Gate pass"
  gateName: string;
  rows: [label: string, value: string][];
  sections?: { heading: string; lines: string[] }[];
  qr?: { url: string; caption: string };
  footer: string;
}

export async function renderPdf(content: DocumentContent): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: content.title, Producer: 'border-gate-clearance' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('regular', REGULAR);
  doc.registerFont('bold', BOLD);

  doc
    .font('bold')
    .fontSize(10)
    .fillColor('#444')
    .text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM — Độc lập – Tự do – Hạnh phúc', { align: 'center' });
  doc.moveDown(0.3).font('regular').text(`Cửa khẩu / Border gate: ${content.gateName}`, { align: 'center' });
  doc.moveDown(1.2).font('bold').fontSize(20).fillColor('#000').text(content.title, { align: 'center' });
  doc.moveDown(1.2);

  const labelWidth = 200;
  for (const [label, value] of content.rows) {
    const y = doc.y;
    doc.font('bold').fontSize(10.5).text(label, 56, y, { width: labelWidth });
    const labelBottom = doc.y;
    doc.font('regular').text(value, 56 + labelWidth + 10, y, { width: 483 - labelWidth - 10 });
    doc.y = Math.max(labelBottom, doc.y) + 4;
  }

  for (const section of content.sections ?? []) {
    doc.moveDown(0.8).font('bold').fontSize(12).text(section.heading, 56);
    doc.moveDown(0.2).font('regular').fontSize(10.5);
    for (const line of section.lines) doc.text(`• ${line}`, 66);
  }

  if (content.qr) {
    const png = await QRCode.toBuffer(content.qr.url, { errorCorrectionLevel: 'M', margin: 1, width: 300 });
    doc.moveDown(1);
    const top = doc.y;
    doc.image(png, 56, top, { width: 130 });
    doc
      .font('regular')
      .fontSize(9)
      .text(content.qr.caption, 200, top + 10, { width: 340 });
    doc.text(content.qr.url, 200, doc.y + 4, { width: 340 });
    doc.y = top + 140;
  }

  // The footer sits in the bottom margin: lift the margin first, or pdfkit would start a second page for it.
  doc.page.margins.bottom = 0;
  doc.font('regular').fontSize(8).fillColor('#666').text(content.footer, 56, 800, { width: 483, align: 'center', lineBreak: false });
  doc.end();
  return done;
}
