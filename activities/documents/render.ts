import fs from 'node:fs';
import path from 'node:path';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/**
 * The paper every party at the gate wants: A4 PDFs in Vietnamese and English, with a font that carries Vietnamese
 * diacritics (DejaVu Sans from the npm package `dejavu-fonts-ttf`).
 */
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');

/**
 * Parsed once per process: pdfkit would otherwise parse each 700 kB font file anew for every document, which was most of
 * the worker's CPU under the benchmark. pdfkit takes a parsed fontkit font as a font source (its types do not say so).
 */
const FONTS = {
  regular: parseFont('DejaVuSans.ttf'),
  bold: parseFont('DejaVuSans-Bold.ttf'),
} as unknown as Record<'regular' | 'bold', PDFKit.Mixins.PDFFontSource>;

/**
 * fontkit caches a glyph with the characters it was first looked up by, and pdfkit writes those characters into the
 * PDF's text layer. Subsetting one document looks up accent components (the "ô" inside "ộ") by glyph id alone; a
 * shared font would then give later documents an "ô" with no character behind it, and their text could not be searched
 * or copied. Looking every character up once, before any document, caches each glyph with its character.
 */
function parseFont(file: string): fontkit.Font {
  const font = fontkit.create(fs.readFileSync(path.join(FONT_DIR, file))) as fontkit.Font;
  for (const codePoint of font.characterSet) font.glyphForCodePoint(codePoint);
  return font;
}

/**
 * Ligatures off for values: a crossing id or a code with "ff" or "fi" in it would otherwise be drawn (and copied out of
 * the PDF) as one ligature character, and no longer match when searched for. pdfkit's types take only a list of
 * features to turn on; fontkit, which lays the text out, also takes this map of features turned off.
 */
const NO_LIGATURES = { liga: false, clig: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];

export interface DocumentContent {
  title: string; // "Giấy thông hành / Gate pass"
  gateName: string;
  rows: [label: string, value: string][];
  sections?: { heading: string; lines: string[] }[];
  /** The QR encodes `data` (the link, or the link and a signed pass after it) and the link is printed below it. */
  qr?: { url: string; data?: string; caption: string };
  footer: string;
}

export async function renderPdf(content: DocumentContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: content.title, Producer: 'border-gate-clearance' },
    font: null as unknown as undefined, // no Helvetica loaded up front: every line sets its own font
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);

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
    doc.font('regular').text(value, 56 + labelWidth + 10, y, { width: 483 - labelWidth - 10, features: NO_LIGATURES });
    doc.y = Math.max(labelBottom, doc.y) + 4;
  }

  for (const section of content.sections ?? []) {
    doc.moveDown(0.8).font('bold').fontSize(12).text(section.heading, 56);
    doc.moveDown(0.2).font('regular').fontSize(10.5);
    for (const line of section.lines) doc.text(`• ${line}`, 66);
  }

  if (content.qr) {
    doc.moveDown(1);
    const top = doc.y;
    drawQr(doc, content.qr.data ?? content.qr.url, 56, top, 130);
    doc
      .font('regular')
      .fontSize(9)
      .text(content.qr.caption, 200, top + 10, { width: 340 });
    doc.text(content.qr.url, 200, doc.y + 4, { width: 340, features: NO_LIGATURES });
    doc.y = top + 140;
  }

  // The footer sits in the bottom margin: lift the margin first, or pdfkit would start a second page for it.
  doc.page.margins.bottom = 0;
  doc.font('regular').fontSize(8).fillColor('#666').text(content.footer, 56, 800, { width: 483, align: 'center', lineBreak: false });
  doc.end();
  return done;
}

/** A QR code drawn as vector squares (sharp at any zoom, and no PNG to encode and decode), with a one-module margin. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const module = width / (modules.size + 2);
  doc.save().fillColor('#000');
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) doc.rect(x + (col + 1) * module, y + (row + 1) * module, module, module);
    }
  }
  doc.fill().restore();
}
