import { randomBytes } from 'node:crypto';
import type { CrossingView } from '../../domain/crossing-view';
import type { DocumentKind } from '../../domain/documents';
import { STEP_OWNER, type DecisionStep } from '../../domain/steps';
import type { GatePassSigner } from '../../infra/gate-pass-signature';
import type { Services } from '../../infra/db/orm';
import type { Stores } from '../../infra/db/stores';
import { documentUrl } from '../../domain/crossing-work';
import { renderPdf, type DocumentContent } from './render';
import { gateLocalTime } from '../../domain/local-time';

export interface DocumentRequest {
  kind: DocumentKind;
  view: CrossingView;
  /** Orders issues of the same kind (a form returned twice): a later one replaces an earlier one, a retry does not. */
  seq: number;
}

const AGENCY: Record<string, string> = {
  HEALTH_OFFICER: 'Kiểm dịch y tế quốc tế / Border health quarantine',
  BORDER_GUARD: 'Đồn Biên phòng cửa khẩu / Border guard post',
  QUARANTINE_OFFICER: 'Chi cục Kiểm dịch động thực vật / Animal and plant quarantine',
  CUSTOMS_OFFICER: 'Chi cục Hải quan cửa khẩu / Customs branch',
  FEE_COLLECTOR: 'Đơn vị thu phí / Fee collector',
};

/** People read a document's times in the gate's local time, with the zone shown (2026-12-01 14:05:09 UTC+7). */
const time = (iso: string | undefined) => (iso ? gateLocalTime(iso) : '—');

/**
 * Documents are rendered once, by an activity, when their event happens, and stored in PostgreSQL; the API serves
 * the stored bytes. Issuing is idempotent: a retried activity finds the stored document (and the gate pass keeps the
 * verification code it was first given).
 */
export function createDocuments(services: Services, opts: { publicUrl: string; signer: GatePassSigner }) {
  async function content(stores: Stores, kind: DocumentKind, view: CrossingView, verifyCode?: string): Promise<DocumentContent> {
    const gate = await stores.gates.gate(view.gate);
    const d = view.declaration;
    const step = (s: string) => view.steps.find((v) => v.step === s);
    const base: [string, string][] = [
      ['Cửa khẩu / Gate', `${gate?.name ?? view.gate} (${view.gate})`],
      ['Biển số / Plate', d.vehicle.trailerPlate ? `${d.vehicle.plate} — rơ moóc / trailer ${d.vehicle.trailerPlate}` : d.vehicle.plate],
      ['Chiều / Direction', view.direction === 'EXPORT' ? 'Xuất khẩu / Export' : 'Nhập khẩu / Import'],
      ['Mã chuyến / Crossing', view.id],
    ];
    const footer = `Phát hành / Issued ${time(new Date().toISOString())} — border-gate clearance platform`;
    const gateName = gate?.name ?? view.gate;
    switch (kind) {
      case 'gate-pass':
        return {
          title: 'Giấy thông quan / Gate pass',
          gateName,
          rows: [
            ...base,
            ['Thông quan lúc / Cleared at', time(step('border-exit')?.decidedAt)],
            ['Xác nhận bởi / Confirmed by', AGENCY.BORDER_GUARD],
            ['Phiên bản tờ khai / Declaration version', String(view.declarationVersion)],
          ],
          qr: {
            url: `${opts.publicUrl}/v1/verify/${verifyCode}`,
            // After the link, the pass signed for verifiers with no connection (infra/gate-pass-signature.ts).
            data: `${opts.publicUrl}/v1/verify/${verifyCode}#${opts.signer.sign({
              c: verifyCode!,
              id: view.id,
              gate: view.gate,
              plate: d.vehicle.plate,
              ...(d.vehicle.trailerPlate ? { trailer: d.vehicle.trailerPlate } : {}),
              direction: view.direction,
              clearedAt: step('border-exit')?.decidedAt ?? view.updatedAt,
            })}`,
            caption: 'Quét để kiểm tra (cả khi không có mạng) / Scan to verify this pass (also offline)',
          },
          footer,
        };
      case 'fee-receipt': {
        const invoice = await stores.fees.invoice(view.id);
        const fee = step('fee-payment');
        const vnd = (n: number | string) => `${Number(n).toLocaleString('vi-VN')} ₫`;
        return {
          title: 'Biên lai thu phí / Fee receipt',
          gateName,
          rows: [
            ...base,
            ['Số biên lai / Receipt no.', fee?.receiptNo ?? '—'],
            ['Thu lúc / Paid at', time(fee?.decidedAt)],
            [
              'Đơn vị thu / Collector',
              invoice?.collector === 'TAX_AUTHORITY'
                ? 'Cơ quan thuế / Tax authority'
                : 'Trung tâm Quản lý cửa khẩu / Gate management centre',
            ],
            ['Tổng cộng / Total', invoice ? vnd(invoice.amountVnd) : '—'],
          ],
          sections: invoice ? [{ heading: 'Chi tiết / Items', lines: invoice.items.map((i) => `${i.label}: ${vnd(i.amountVnd)}`) }] : [],
          footer,
        };
      }
      case 'return-notice': {
        const last = view.returns[view.returns.length - 1];
        return {
          title: 'Thông báo trả hồ sơ / Return notice',
          gateName,
          rows: [
            ...base,
            ['Bước / Step', last?.step ?? '—'],
            ['Cơ quan / Agency', last ? (AGENCY[STEP_OWNER[last.step as DecisionStep]] ?? last.step) : '—'],
            ['Thời điểm / Returned at', time(last?.at)],
            ['Lý do / Reason', last?.reason ?? '—'],
          ],
          sections: [
            { heading: 'Cần sửa / To correct', lines: (last?.fields ?? []).map((f) => `${f.path}: ${f.message}`) },
            {
              heading: 'Hướng dẫn / What to do',
              lines: ['Sửa tờ khai và nộp lại / Correct the declaration and resubmit it (PUT …/declaration)'],
            },
          ],
          footer,
        };
      }
      case 'turn-back-order':
        return {
          title: 'Lệnh quay đầu xe / Turn-back order',
          gateName,
          rows: [
            ...base,
            [
              'Kết thúc / Ended as',
              { DENIED: 'Từ chối / Denied', EXPIRED: 'Quá hạn / Expired', CANCELLED: 'Hủy / Cancelled' }[view.status as string] ??
                view.status,
            ],
            ['Thời điểm / At', time(view.updatedAt)],
          ],
          sections: [
            {
              heading: 'Yêu cầu / Order',
              lines: ['Phương tiện rời khu vực kiểm soát qua barie 1 / The vehicle leaves the control area back through barrier 1'],
            },
          ],
          footer,
        };
    }
  }

  /**
   * Renders an issue of a document from the crossing's view, unless that issue (or a later one) is stored already: a
   * retry finds it and renders nothing. The gate pass keeps the verification code it was first given.
   */
  async function render(
    stores: Stores,
    { kind, view, seq }: DocumentRequest,
  ): Promise<Parameters<Stores['documents']['save']>[0] | undefined> {
    const existing = await stores.documents.issued(view.id, kind);
    if (existing && existing.seq >= seq) return undefined;
    // Unguessable: 128 random bits. The pass's QR holds only this code (and, signed, the pass itself).
    const verifyCode = kind === 'gate-pass' ? (existing?.verifyCode ?? randomBytes(16).toString('base64url')) : null;
    const pdf = await renderPdf(await content(stores, kind, view, verifyCode ?? undefined));
    return { crossingId: view.id, kind, seq, gate: view.gate, status: view.status, pdf, verifyCode };
  }

  return {
    render,

    async issueDocument(request: DocumentRequest): Promise<{ kind: string; url: string }> {
      const stores = services.stores();
      const rendered = await render(stores, request);
      if (rendered) await stores.documents.save(rendered);
      return { kind: request.kind, url: documentUrl(request.view.id, request.kind) };
    },
  };
}
