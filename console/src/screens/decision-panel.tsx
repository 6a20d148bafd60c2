import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ok, type Account, type CrossingView } from '../http/client';
import { label, useT } from '../i18n';
import { useChange } from '../ui/hooks';
import { describedBy, Field, ProblemNote } from '../ui/parts';
import { leafPaths } from '../ui/paths';
import type { DecisionStep } from '../../../domain/steps';

type Outcome = 'APPROVE' | 'RETURN' | 'DENY';
type Step = DecisionStep;

const typing = (target: EventTarget | null) =>
  target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;

/**
 * Approve, return or deny the step the truck waits at, for the role that owns it: A, R and D open each form from the
 * keyboard (outside a text field), Enter confirms, Escape goes back. A return names the fields at fault, picked from
 * what the role sees of the declaration. The yard operator confirms a transfer instead.
 */
export function DecisionPanel(props: { view: CrossingView; account: Account; owns: boolean; onDecided: () => void }) {
  const t = useT();
  const { view, account } = props;
  const step = view.currentStep as Step | null;
  const waiting =
    view.status === 'IN_PROGRESS' && !!step && ['WAITING', 'OVERDUE'].includes(view.steps.find((s) => s.step === step)?.status ?? '');
  const stage = view.transshipment?.stage ?? view.steps.find((s) => s.step === 'transshipment')?.stage;
  const yardConfirms = account.role === 'YARD_OPERATOR' && step === 'transshipment' && stage === 'COMPLETION';
  const decides = props.owns && waiting && account.role !== 'YARD_OPERATOR' && !(step === 'transshipment' && stage !== 'APPROVAL');

  const [mode, setMode] = useState<Outcome | undefined>();
  const [reason, setReason] = useState('');
  const [receiptNo, setReceiptNo] = useState('');
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [note, setNote] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const first = useRef<HTMLButtonElement & HTMLInputElement & HTMLTextAreaElement>(null);

  useEffect(() => {
    if (!decides) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) {
        if (e.key === 'Escape') setMode(undefined);
        return;
      }
      const next = ({ a: 'APPROVE', r: 'RETURN', d: 'DENY' } as const)[e.key.toLowerCase() as 'a' | 'r' | 'd'];
      if (next) {
        e.preventDefault();
        setMode(next);
        setNote(undefined);
      } else if (e.key === 'Escape') setMode(undefined);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [decides]);
  // Into the form when it opens; back to the outcome's button when it closes (Escape, Cancel), never to the page.
  const buttons = useRef<HTMLDivElement>(null);
  const lastMode = useRef<Outcome | undefined>(undefined);
  useEffect(() => {
    if (mode) {
      lastMode.current = mode;
      first.current?.focus();
    } else if (lastMode.current) {
      buttons.current?.querySelector<HTMLButtonElement>(`[data-outcome="${lastMode.current}"]`)?.focus();
    }
  }, [mode]);

  const decide = useChange(async (headers, outcome: Outcome) => {
    const fields = Object.entries(picked).map(([path, message]) => ({ path, message: message.trim() || reason.trim() }));
    await ok(
      api.POST('/v1/crossings/{id}/steps/{step}/decision', {
        params: { path: { id: view.id, step: step! } },
        headers,
        body: {
          outcome,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
          ...(outcome === 'RETURN' ? { fields } : {}),
          ...(outcome === 'APPROVE' && step === 'fee-payment' ? { receiptNo: receiptNo.trim() } : {}),
        },
      }),
    );
    setDone(t('decide.done', { outcome: t(`outcome.${outcome}`) }));
    setMode(undefined);
    props.onDecided();
  });
  const complete = useChange(async (headers) => {
    await ok(api.POST('/v1/crossings/{id}/transshipment/complete', { params: { path: { id: view.id } }, headers, body: {} }));
    props.onDecided();
  });

  if (yardConfirms)
    return (
      <section class="decide">
        <button type="button" onClick={() => void complete.act()} disabled={complete.busy}>
          {t('decide.completeTransfer')}
        </button>
        <ProblemNote problem={complete.problem} />
      </section>
    );
  if (!decides) return done ? <p role="status">{done}</p> : null;

  const submit = (e: Event) => {
    e.preventDefault();
    if (!mode) return;
    if (mode !== 'APPROVE' && !reason.trim()) return setNote(t('decide.needsReason'));
    if (mode === 'RETURN' && Object.keys(picked).length === 0) return setNote(t('decide.needsField'));
    void decide.act(mode);
  };
  const paths = leafPaths(Object.fromEntries(Object.entries(view.declaration).filter(([k]) => !['gate', 'direction'].includes(k))));

  return (
    <section class="decide" aria-labelledby={`decide-${view.id}`}>
      <h3 id={`decide-${view.id}`}>{t('decide.title', { step: label(t, 'step', step) })}</h3>
      <div class="decide-buttons" role="group" ref={buttons}>
        <button
          type="button"
          data-outcome="APPROVE"
          aria-pressed={mode === 'APPROVE'}
          onClick={() => setMode('APPROVE')}
          aria-keyshortcuts="A"
        >
          {t('decide.approve')}
        </button>
        <button
          type="button"
          class="warn"
          data-outcome="RETURN"
          aria-pressed={mode === 'RETURN'}
          onClick={() => setMode('RETURN')}
          aria-keyshortcuts="R"
        >
          {t('decide.return')}
        </button>
        <button
          type="button"
          class="danger"
          data-outcome="DENY"
          aria-pressed={mode === 'DENY'}
          onClick={() => setMode('DENY')}
          aria-keyshortcuts="D"
        >
          {t('decide.deny')}
        </button>
      </div>
      {mode && (
        <form class="decide-form" onSubmit={submit}>
          {mode === 'APPROVE' && step === 'fee-payment' && (
            <Field id="receipt-no" label={t('decide.receiptNo')}>
              <input id="receipt-no" ref={first} required value={receiptNo} onInput={(e) => setReceiptNo(e.currentTarget.value)} />
            </Field>
          )}
          {mode === 'RETURN' && (
            <fieldset>
              <legend>{t('decide.fields')}</legend>
              <div class="field-picker">
                {paths.map((path, index) => {
                  const id = `pick-${path.replace(/\./g, '-')}`;
                  return (
                    <div key={path} class="pick">
                      <input
                        type="checkbox"
                        id={id}
                        ref={index === 0 ? first : undefined}
                        checked={path in picked}
                        onChange={(e) => {
                          const next = { ...picked };
                          if (e.currentTarget.checked) next[path] = '';
                          else delete next[path];
                          setPicked(next);
                        }}
                      />
                      <label for={id}>
                        <code>{path}</code>
                      </label>
                      {path in picked && (
                        <input
                          aria-label={t('decide.fieldMessage', { field: path })}
                          value={picked[path]}
                          onInput={(e) => setPicked({ ...picked, [path]: e.currentTarget.value })}
                        />
                      )}
                    </div>
                  );
                })}
              </div>
            </fieldset>
          )}
          {mode !== 'APPROVE' && (
            <Field id="decision-reason" label={t('decide.reason')} error={note}>
              <textarea
                id="decision-reason"
                ref={mode === 'DENY' ? first : undefined}
                rows={2}
                value={reason}
                aria-describedby={describedBy('decision-reason', note)}
                onInput={(e) => setReason(e.currentTarget.value)}
              />
            </Field>
          )}
          <ProblemNote problem={decide.problem} />
          <div class="actions">
            <button
              type="submit"
              ref={mode === 'APPROVE' && step !== 'fee-payment' ? first : undefined}
              class={mode === 'DENY' ? 'danger' : mode === 'RETURN' ? 'warn' : undefined}
              disabled={decide.busy}
            >
              {t(mode === 'APPROVE' ? 'decide.confirmApprove' : mode === 'RETURN' ? 'decide.confirmReturn' : 'decide.confirmDeny')}
            </button>
            <button type="button" class="secondary" onClick={() => setMode(undefined)}>
              {t('app.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
