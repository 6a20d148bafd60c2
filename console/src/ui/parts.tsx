import type { ComponentChildren } from 'preact';
import type { Problem } from '../http/client';
import { label, language, useT } from '../i18n';
import { fieldError } from '../i18n/field-errors';
import { useSignal } from './signal';

/** The API's own sentence for what went wrong, never a blank: offline is said as such. */
export function ProblemNote({ problem, onRetry }: { problem: Problem | undefined; onRetry?: () => void }) {
  const t = useT();
  const lang = useSignal(language);
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>
        {problem.status === 0
          ? t('problem.offline')
          : problem.status === -1
            ? t('problem.unexpected')
            : `${problem.title}: ${problem.detail}`}
      </strong>
      {problem.errors.length > 0 && (
        <>
          <span> {t('problem.fields')}</span>
          <ul>
            {problem.errors.map((e) => (
              <li key={e.path}>
                <code>{e.path}</code> {fieldError(lang, e.message)}
              </li>
            ))}
          </ul>
        </>
      )}
      {onRetry && (
        <button type="button" class="secondary" onClick={onRetry}>
          {t('app.retry')}
        </button>
      )}
    </div>
  );
}

export function Loading() {
  const t = useT();
  return (
    <p class="loading" role="status">
      {t('app.loading')}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function StatusBadge({ status }: { status: string }) {
  const t = useT();
  return <span class={`badge status-${status.toLowerCase()}`}>{label(t, 'status', status)}</span>;
}

export function StepBadge({ status }: { status: string }) {
  const t = useT();
  return <span class={`badge step-${status.toLowerCase()}`}>{label(t, 'stepStatus', status)}</span>;
}

/**
 * Customs' channel as a chip, coloured with the badge colours the stylesheet already has: green passes, yellow is a
 * document check, red a physical inspection (the channel of a crossing until customs sets one).
 */
const CHANNEL_TONE: Record<string, string> = { GREEN: 'status-cleared', YELLOW: 'step-returned', RED: 'step-denied' };
export function ChannelBadge({ channel }: { channel: string }) {
  const t = useT();
  return <span class={`badge channel ${CHANNEL_TONE[channel] ?? ''}`}>{label(t, 'channel', channel)}</span>;
}

export function CategoryBadge({ category }: { category: string }) {
  const t = useT();
  return <span class={`badge category-${category.toLowerCase()}`}>{label(t, 'category', category)}</span>;
}

/** A labelled input whose error, from the browser's check or the API's answer, stands beside it. */
export function Field(props: { id: string; label: string; error?: string; note?: string; children: ComponentChildren }) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.note && (
        <p class="field-note" id={`${props.id}-note`}>
          {props.note}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** The choice of gate on a screen of one gate, for an account serving several (none shown for one). */
export function GatePicker(props: {
  id: string;
  gates: readonly string[];
  value: string | undefined;
  nameOf: (code: string) => string;
  onChange: (code: string) => void;
}) {
  const t = useT();
  if (props.gates.length <= 1) return null;
  return (
    <Field id={props.id} label={t('board.gate')}>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.gates.map((g) => (
          <option key={g} value={g}>
            {props.nameOf(g)}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** The `aria-describedby` of an input that may carry a note and an error. */
export const describedBy = (id: string, error?: string, note?: string) =>
  [note ? `${id}-note` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;

/** The end of an edit form: the problem the save met, Save, and Cancel. */
export function SaveOrCancel({ problem, busy, onCancel }: { problem: Problem | undefined; busy: boolean; onCancel: () => void }) {
  const t = useT();
  return (
    <>
      <ProblemNote problem={problem} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t('app.save')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('app.cancel')}
        </button>
      </div>
    </>
  );
}

/** The message, in the reader's language, that a problem gives for a field (`errors[].path`), for the input it names. */
export function useFieldErrors(problem: Problem | undefined): (path: string) => string | undefined {
  const lang = useSignal(language);
  return (path) => {
    const message = problem?.errors.find((e) => e.path === path)?.message;
    return message && fieldError(lang, message);
  };
}
