/** The PDFs a crossing can have (API.md "Documents"). */
export const DOCUMENT_KINDS = ['gate-pass', 'fee-receipt', 'return-notice', 'turn-back-order'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
