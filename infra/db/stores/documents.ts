import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentKind } from '../../../domain/documents';
import { sqlOf } from '../orm';

/** The PDFs issued for crossings, stored as bytes, and the verification codes of gate passes. */
export class DocumentStore {
  constructor(private readonly em: EntityManager) {}

  /** What is stored of a document: which issue it is (a form returned twice has two) and the gate pass's code. */
  async issued(crossingId: string, kind: DocumentKind): Promise<{ seq: number; verifyCode: string | null } | undefined> {
    const [row] = await sqlOf(this.em)<{ seq: number; verify_code: string | null }>(
      `select (data->>'seq')::int as seq, verify_code from crossing_document where crossing_id = ? and kind = ?`,
      [crossingId, kind],
    );
    return row && { seq: row.seq, verifyCode: row.verify_code };
  }

  /** Stores an issue of a document; a later issue replaces an earlier one, a retried one changes nothing. */
  async save(document: {
    crossingId: string;
    kind: DocumentKind;
    seq: number;
    gate: string;
    status: string;
    pdf: Buffer;
    verifyCode: string | null;
  }) {
    await sqlOf(this.em)(
      `insert into crossing_document (crossing_id, kind, data, pdf, verify_code, created_at) values (?, ?, ?, ?, ?, now())
       on conflict (crossing_id, kind) do update set data = excluded.data, pdf = excluded.pdf, created_at = excluded.created_at
       where (crossing_document.data->>'seq')::int is null or (crossing_document.data->>'seq')::int < (excluded.data->>'seq')::int`,
      [
        document.crossingId,
        document.kind,
        JSON.stringify({ seq: document.seq, gate: document.gate, status: document.status }),
        document.pdf,
        document.verifyCode,
      ],
    );
  }

  async pdf(crossingId: string, kind: DocumentKind): Promise<Buffer | undefined> {
    const [doc] = await sqlOf(this.em)<{ pdf: Buffer | null }>('select pdf from crossing_document where crossing_id = ? and kind = ?', [
      crossingId,
      kind,
    ]);
    return doc?.pdf ?? undefined;
  }

  /** The public check of a gate pass: gate, plate and clearance time of a cleared crossing, nothing else. */
  async gatePass(code: string): Promise<{ gate: string; plate: string; clearedAt: string | null } | undefined> {
    const [row] = await sqlOf(this.em)<{ gate_code: string; plate: string; cleared_at: string | null }>(
      `select c.gate_code, c.view->'declaration'->'vehicle'->>'plate' as plate,
              (select s->>'decidedAt' from jsonb_array_elements(c.view->'steps') s where s->>'step' = 'border-exit') as cleared_at
         from crossing_document d join crossing c on c.id = d.crossing_id
        where d.kind = 'gate-pass' and d.verify_code = ? and c.status = 'CLEARED'`,
      [code],
    );
    return row && { gate: row.gate_code, plate: row.plate, clearedAt: row.cleared_at };
  }
}
