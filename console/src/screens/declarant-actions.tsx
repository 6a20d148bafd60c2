import { useState } from 'preact/hooks';
import { api, ok, type Account, type CrossingView } from '../http/client';
import { useT } from '../i18n';
import { vnd } from '../ui/format';
import { useChange } from '../ui/hooks';
import { Field, ProblemNote } from '../ui/parts';
import { navigate } from '../ui/router';

/**
 * What the company (and, for cancelling, the manager) can do with a running crossing: correct a returned form, pay
 * the fee online, register a transfer, cancel. Each is offered only when the crossing waits for it; the API decides.
 */
export function DeclarantActions(props: { view: CrossingView; account: Account; onChanged: () => void }) {
  const t = useT();
  const { view, account } = props;
  const declarant = account.role === 'DECLARANT';
  const stage = view.transshipment?.stage ?? view.steps.find((s) => s.step === 'transshipment')?.stage;
  const [payment, setPayment] = useState<{ amountVnd: number } | undefined>();
  const [cancelling, setCancelling] = useState(false);
  const [reason, setReason] = useState('');
  const [transfer, setTransfer] = useState({ yardCode: '', plate: '', country: 'CN' });

  const pay = useChange(async (headers) => {
    // The provider's page opens in its own tab, as a real provider's would (opened at the click, which is what lets a
    // browser open it); the fee updates when the provider calls back. A refused payment closes the empty tab again.
    const tab = window.open('', '_blank');
    try {
      const answer = await ok(api.POST('/v1/crossings/{id}/fee/online-payment', { params: { path: { id: view.id } }, headers }));
      if (tab) {
        tab.opener = null;
        tab.location.href = answer.payUrl;
      }
      setPayment(answer);
    } catch (err) {
      tab?.close();
      throw err;
    }
  });
  const cancel = useChange(async (headers) => {
    await ok(api.POST('/v1/crossings/{id}/cancel', { params: { path: { id: view.id } }, headers, body: { reason: reason.trim() } }));
    setCancelling(false);
    props.onChanged();
  });
  const register = useChange(async (headers) => {
    await ok(
      api.POST('/v1/crossings/{id}/transshipment', {
        params: { path: { id: view.id } },
        headers,
        body: { yardCode: transfer.yardCode.trim(), toVehicle: { plate: transfer.plate.trim(), country: transfer.country.trim() } },
      }),
    );
    props.onChanged();
  });

  return (
    <section class="actions-panel">
      {declarant && view.status === 'AWAITING_CORRECTION' && (
        <button type="button" onClick={() => navigate(`/crossings/${view.id}/correct`)}>
          {t('mine.correct')}
        </button>
      )}
      {declarant && view.currentStep === 'fee-payment' && view.fee?.status === 'DUE' && (
        <div>
          <button type="button" onClick={() => void pay.act()} disabled={pay.busy}>
            {t('mine.pay')}
          </button>{' '}
          {t('mine.payAmount', { amount: vnd(view.fee.amountVnd) })}
          {payment && <p role="status">{t('mine.payOpened')}</p>}
          <ProblemNote problem={pay.problem} />
        </div>
      )}
      {declarant && view.currentStep === 'transshipment' && stage === 'REGISTRATION' && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void register.act();
          }}
        >
          <Field id="t-yard" label={t('mine.yardCode')}>
            <input
              id="t-yard"
              required
              value={transfer.yardCode}
              onInput={(e) => setTransfer({ ...transfer, yardCode: e.currentTarget.value })}
            />
          </Field>
          <Field id="t-plate" label={t('mine.toPlate')}>
            <input
              id="t-plate"
              required
              value={transfer.plate}
              onInput={(e) => setTransfer({ ...transfer, plate: e.currentTarget.value })}
            />
          </Field>
          <Field id="t-country" label={t('mine.toCountry')}>
            <input
              id="t-country"
              required
              maxLength={2}
              value={transfer.country}
              onInput={(e) => setTransfer({ ...transfer, country: e.currentTarget.value.toUpperCase() })}
            />
          </Field>
          <button type="submit" disabled={register.busy}>
            {t('mine.register')}
          </button>
          <ProblemNote problem={register.problem} />
        </form>
      )}
      {!cancelling ? (
        <button type="button" class="danger secondary-danger" onClick={() => setCancelling(true)}>
          {t('mine.cancel')}
        </button>
      ) : (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void cancel.act();
          }}
        >
          <Field id="cancel-reason" label={t('mine.cancelReason')}>
            <input id="cancel-reason" required value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          </Field>
          <button type="submit" class="danger" disabled={cancel.busy}>
            {t('mine.cancel')}
          </button>
          <button type="button" class="secondary" onClick={() => setCancelling(false)}>
            {t('app.cancel')}
          </button>
          <ProblemNote problem={cancel.problem} />
        </form>
      )}
    </section>
  );
}
