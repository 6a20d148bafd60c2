import { useState } from 'preact/hooks';
import { api, ok, type Schemas } from '../http/client';
import { label, useT } from '../i18n';
import { vnd } from '../ui/format';
import { Table } from '../ui/table';
import { useChange, useLoad } from '../ui/hooks';
import { Field, Loading, ProblemNote, SaveOrCancel, useFieldErrors } from '../ui/parts';

type Rate = Schemas['FeeRate'];

/** The tariff as data: each rate row editable; an edit applies to invoices issued from then on. */
export function FeeRatesScreen() {
  const t = useT();
  const tariff = useLoad(() => ok(api.GET('/v1/admin/fee-rates')), []);
  const [edit, setEdit] = useState<Rate | undefined>();
  const [saved, setSaved] = useState(false);
  const save = useChange(async (headers, rate: Rate) => {
    await ok(api.PUT('/v1/admin/fee-rates', { headers, body: rate }));
    setSaved(true);
    setEdit(undefined);
    await tariff.reload();
  });
  const errorOf = useFieldErrors(save.problem);
  const adjustments = (tariff.data?.adjustments ?? []) as { code: string; percent: number; description: string }[];

  return (
    <div class="workspace">
      <section class="panel" aria-labelledby="rates-title">
        <h1 id="rates-title">{t('admin.feeRates')}</h1>
        {saved && (
          <p role="status" class="saved">
            {t('admin.rateSaved')}
          </p>
        )}
        <ProblemNote problem={tariff.problem} />
        {!tariff.data ? (
          <Loading />
        ) : (
          <Table
            columns={[t('admin.gate'), t('admin.direction'), t('admin.vehicleKind'), t('admin.goodsKind'), t('admin.amount')]}
            actions={t('admin.edit')}
          >
            <tbody>
              {tariff.data.rates.map((r) => (
                <tr key={`${r.gate}/${r.direction}/${r.vehicleKind}/${r.goodsKind}`}>
                  <td>{r.gate}</td>
                  <td>{r.direction === '*' ? '*' : label(t, 'direction', r.direction)}</td>
                  <th scope="row">{r.vehicleKind}</th>
                  <td>{r.goodsKind}</td>
                  <td class="number">{vnd(r.amountVnd)}</td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`${t('admin.edit')} ${r.gate} ${r.direction} ${r.vehicleKind} ${r.goodsKind}`}
                      onClick={() => (save.clear(), setSaved(false), setEdit({ ...r }))}
                    >
                      {t('admin.edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {adjustments.length > 0 && (
          <>
            <h2>{t('admin.adjustments')}</h2>
            <ul>
              {adjustments.map((a) => (
                <li key={a.code}>
                  {a.code}: {a.percent} % — {a.description}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      {edit && (
        <section class="panel" aria-labelledby="edit-rate-title">
          <h2 id="edit-rate-title">
            {t('admin.edit')} {edit.gate} · {edit.direction} · {edit.vehicleKind} · {edit.goodsKind}
          </h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save.act(edit);
            }}
          >
            <Field id="rate-amount" label={t('admin.amount')} error={errorOf('amountVnd')}>
              <input
                id="rate-amount"
                inputMode="numeric"
                value={String(edit.amountVnd)}
                onInput={(e) => setEdit({ ...edit, amountVnd: Number(e.currentTarget.value) })}
              />
            </Field>
            <SaveOrCancel problem={save.problem} busy={save.busy} onCancel={() => setEdit(undefined)} />
          </form>
        </section>
      )}
    </div>
  );
}
