import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { DeclarationSchema } from '../../../domain/declaration';
import { gateLocalTime } from '../../../domain/local-time';
import { api, ok, Problem, type Account, type CrossingView, type Schemas } from '../http/client';
import { label, language, useT } from '../i18n';
import { fieldError } from '../i18n/field-errors';
import { useSignal } from '../ui/signal';
import { useChange, useLoad } from '../ui/hooks';
import { describedBy, Field, Loading, ProblemNote } from '../ui/parts';
import { navigate } from '../ui/router';

/**
 * The declaration, made once for the whole crossing, or corrected after a return. The same zod schema the API
 * validates with checks it in the browser first; either way every error stands at its field (`errors[].path` is the
 * input's name), and a summary at the top links to each. A correction shows the returning officer's reasons beside
 * the fields they named.
 */
interface Container {
  number: string;
  sealNo: string;
}
interface Goods {
  hsCode: string;
  description: string;
  quantity: string;
  unit: string;
  netWeightKg: string;
  valueUsd: string;
  origin: string;
}
interface FormState {
  gate: string;
  direction: 'EXPORT' | 'IMPORT';
  priority: '' | 'PERISHABLE' | 'EMERGENCY' | 'DIPLOMATIC';
  customsDeclarationNo: string;
  transshipment: boolean;
  vehicle: { plate: string; trailerPlate: string; country: string; grossWeightKg: string };
  driver: { fullName: string; idNumber: string; nationality: string; phone: string };
  health: { temperatureC: string; symptoms: string; declaredAt: string };
  containers: Container[];
  goods: Goods[];
}

const emptyGoods = (): Goods => ({ hsCode: '', description: '', quantity: '', unit: '', netWeightKg: '', valueUsd: '', origin: 'VN' });
/** `2026-12-01T14:05` in the gate's time, what a datetime-local input holds. */
const gateLocalInput = (at: string | Date) => gateLocalTime(at).slice(0, 16).replace(' ', 'T');

function blank(gate: string): FormState {
  return {
    gate,
    direction: 'EXPORT',
    priority: '',
    customsDeclarationNo: '',
    transshipment: false,
    vehicle: { plate: '', trailerPlate: '', country: 'VN', grossWeightKg: '' },
    driver: { fullName: '', idNumber: '', nationality: 'VN', phone: '' },
    health: { temperatureC: '', symptoms: '', declaredAt: gateLocalInput(new Date()) },
    containers: [],
    goods: [emptyGoods()],
  };
}

function fromView(d: CrossingView['declaration']): FormState {
  const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
  return {
    gate: d.gate,
    direction: d.direction,
    priority: d.priority?.reason ?? '',
    customsDeclarationNo: text(d.customsDeclarationNo),
    transshipment: d.transshipment,
    vehicle: {
      plate: d.vehicle.plate,
      trailerPlate: text(d.vehicle.trailerPlate),
      country: text(d.vehicle.country),
      grossWeightKg: text(d.vehicle.grossWeightKg),
    },
    driver: {
      fullName: text(d.driver?.fullName),
      idNumber: text(d.driver?.idNumber),
      nationality: text(d.driver?.nationality),
      phone: text(d.driver?.phone),
    },
    health: {
      temperatureC: text(d.health?.temperatureC),
      symptoms: (d.health?.symptoms ?? []).join(', '),
      declaredAt: d.health ? gateLocalInput(d.health.declaredAt) : gateLocalInput(new Date()),
    },
    containers: (d.containers ?? []).map((c) => ({ number: c.number, sealNo: c.sealNo })),
    goods: (d.goods ?? []).map((g) => ({
      hsCode: g.hsCode,
      description: g.description,
      quantity: text(g.quantity),
      unit: g.unit,
      netWeightKg: text(g.netWeightKg),
      valueUsd: text(g.valueUsd),
      origin: g.origin,
    })),
  };
}

/** Numbers as numbers (an empty box is left out, so the schema says "required"), the health time with the gate's offset. */
function toBody(f: FormState): Schemas['Declaration'] {
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v.replace(',', '.')));
  const opt = (v: string) => (v.trim() === '' ? null : v.trim());
  return {
    gate: f.gate,
    direction: f.direction,
    priority: f.priority ? { reason: f.priority } : null,
    customsDeclarationNo: f.customsDeclarationNo.trim(),
    transshipment: f.transshipment,
    vehicle: {
      plate: f.vehicle.plate.trim(),
      trailerPlate: opt(f.vehicle.trailerPlate),
      country: f.vehicle.country.trim().toUpperCase(),
      grossWeightKg: num(f.vehicle.grossWeightKg) as number,
    },
    driver: {
      fullName: f.driver.fullName,
      idNumber: f.driver.idNumber.trim(),
      nationality: f.driver.nationality.trim().toUpperCase(),
      phone: opt(f.driver.phone),
    },
    health: {
      temperatureC: num(f.health.temperatureC) as number,
      symptoms: f.health.symptoms
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
      declaredAt: f.health.declaredAt ? `${f.health.declaredAt}:00+07:00` : '',
    },
    containers: f.containers.map((c) => ({ number: c.number.trim().toUpperCase(), sealNo: c.sealNo.trim() })),
    goods: f.goods.map((g) => ({
      hsCode: g.hsCode.trim(),
      description: g.description,
      quantity: num(g.quantity) as number,
      unit: g.unit.trim(),
      netWeightKg: num(g.netWeightKg) as number,
      valueUsd: num(g.valueUsd) as number,
      origin: g.origin.trim().toUpperCase(),
    })),
  };
}

const idOf = (path: string) => `f-${path.replace(/\./g, '-')}`;

export function DeclareScreen({ account, correcting }: { account: Account; correcting?: string }) {
  const t = useT();
  const lang = useSignal(language);
  const existing = useLoad(
    () => (correcting ? ok(api.GET('/v1/crossings/{id}', { params: { path: { id: correcting } } })) : Promise.resolve(undefined)),
    [correcting],
  );
  const [form, setForm] = useState<FormState>(() => blank(account.gates[0] ?? ''));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (existing.data) setForm(fromView(existing.data.declaration));
  }, [existing.data?.id]);

  // The reasons of the return being answered, by field: shown beside the inputs they name.
  const open = existing.data?.returns.filter((r) => !r.resolvedByVersion) ?? [];
  const reasons = useMemo(() => Object.fromEntries(open.flatMap((r) => r.fields.map((f) => [f.path, f.message]))), [existing.data]);

  const send = useChange(async (headers) => {
    const body = toBody(form);
    const checked = DeclarationSchema.safeParse(body);
    if (!checked.success)
      throw new Problem(
        400,
        t('problem.title'),
        '',
        // A box left empty is "required", as the API says of a missing field, not zod's "expected number".
        checked.error.issues.map((i) => ({
          path: i.path.join('.'),
          message: i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message,
        })),
      );
    const view = correcting
      ? await ok(api.PUT('/v1/crossings/{id}/declaration', { params: { path: { id: correcting } }, headers, body }))
      : await ok(api.POST('/v1/crossings', { headers, body }));
    navigate(`/crossings/${view.id}`);
  });

  useEffect(() => {
    const problem = send.problem;
    setErrors(Object.fromEntries((problem?.errors ?? []).map((e) => [e.path, fieldError(lang, e.message)])));
    if (problem) summary.current?.focus();
  }, [send.problem, lang]);

  if (correcting && !existing.data) return existing.problem ? <ProblemNote problem={existing.problem} /> : <Loading />;

  const set = (mutate: (f: FormState) => void) =>
    setForm((f) => {
      const next = structuredClone(f);
      mutate(next);
      return next;
    });
  const input = (path: string, name: string, value: string, onInput: (v: string) => void, attrs: Record<string, unknown> = {}) => {
    const id = idOf(path);
    const note = reasons[path] ? `⚠ ${reasons[path]}` : undefined;
    return (
      <Field id={id} label={name} error={errors[path]} note={note}>
        <input
          id={id}
          name={path}
          value={value}
          aria-invalid={errors[path] ? true : undefined}
          aria-describedby={describedBy(id, errors[path], note)}
          onInput={(e) => onInput(e.currentTarget.value)}
          {...attrs}
        />
      </Field>
    );
  };
  const errorList = Object.entries(errors);
  const listError = (path: string) => errors[path] && <p class="field-error">{errors[path]}</p>;

  return (
    <section class="panel" aria-labelledby="declare-title">
      <h1 id="declare-title">
        {correcting ? t('form.correctTitle', { plate: existing.data!.declaration.vehicle.plate }) : t('form.newTitle')}
      </h1>
      {open.map((r) => (
        <p key={r.at} class="returned">
          {t('form.returnedBy', { step: label(t, 'step', r.step), reason: r.reason })}
        </p>
      ))}
      <div ref={summary} tabIndex={-1} class="error-summary-holder">
        {errorList.length > 0 ? (
          <div class="problem" role="alert">
            <strong>{t('form.errorsTitle', { n: errorList.length })}</strong>
            <ul>
              {errorList.map(([path, message]) => (
                <li key={path}>
                  <a href={`#${idOf(path)}`} onClick={(e) => (e.preventDefault(), document.getElementById(idOf(path))?.focus())}>
                    <code>{path}</code>
                  </a>{' '}
                  {message}
                </li>
              ))}
            </ul>
          </div>
        ) : (
          send.problem && <ProblemNote problem={send.problem} />
        )}
      </div>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void send.act();
        }}
      >
        <fieldset>
          <legend>{t('form.trip')}</legend>
          <div class="grid">
            <Field id={idOf('gate')} label={t('form.gate')} error={errors.gate}>
              <select
                id={idOf('gate')}
                value={form.gate}
                disabled={!!correcting}
                onChange={(e) => set((f) => void (f.gate = e.currentTarget.value))}
              >
                {account.gates.map((g) => (
                  <option key={g} value={g}>
                    {g}
                  </option>
                ))}
              </select>
            </Field>
            <Field id={idOf('direction')} label={t('form.direction')}>
              <select
                id={idOf('direction')}
                value={form.direction}
                disabled={!!correcting}
                onChange={(e) => set((f) => void (f.direction = e.currentTarget.value as never))}
              >
                <option value="EXPORT">{t('direction.EXPORT')}</option>
                <option value="IMPORT">{t('direction.IMPORT')}</option>
              </select>
            </Field>
            <Field id={idOf('priority')} label={t('form.priority')}>
              <select
                id={idOf('priority')}
                value={form.priority}
                onChange={(e) => set((f) => void (f.priority = e.currentTarget.value as never))}
              >
                <option value="">{t('priority.none')}</option>
                <option value="PERISHABLE">{t('priority.PERISHABLE')}</option>
                <option value="EMERGENCY">{t('priority.EMERGENCY')}</option>
                <option value="DIPLOMATIC">{t('priority.DIPLOMATIC')}</option>
              </select>
            </Field>
            {input(
              'customsDeclarationNo',
              t('form.customsNo'),
              form.customsDeclarationNo,
              (v) => set((f) => void (f.customsDeclarationNo = v)),
              { inputMode: 'numeric' },
            )}
            <div class="field checkbox">
              <input
                type="checkbox"
                id={idOf('transshipment')}
                checked={form.transshipment}
                disabled={!!correcting}
                onChange={(e) => set((f) => void (f.transshipment = e.currentTarget.checked))}
              />
              <label for={idOf('transshipment')}>{t('form.transshipment')}</label>
            </div>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('card.vehicle')}</legend>
          <div class="grid">
            {input('vehicle.plate', t('form.plate'), form.vehicle.plate, (v) => set((f) => void (f.vehicle.plate = v)))}
            {input('vehicle.trailerPlate', t('form.trailerPlate'), form.vehicle.trailerPlate, (v) =>
              set((f) => void (f.vehicle.trailerPlate = v)),
            )}
            {input('vehicle.country', t('form.country'), form.vehicle.country, (v) => set((f) => void (f.vehicle.country = v)), {
              maxLength: 2,
            })}
            {input(
              'vehicle.grossWeightKg',
              t('form.grossWeight'),
              form.vehicle.grossWeightKg,
              (v) => set((f) => void (f.vehicle.grossWeightKg = v)),
              { inputMode: 'numeric' },
            )}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('card.driver')}</legend>
          <div class="grid">
            {input('driver.fullName', t('form.fullName'), form.driver.fullName, (v) => set((f) => void (f.driver.fullName = v)), {
              autoComplete: 'off',
            })}
            {input('driver.idNumber', t('form.idNumber'), form.driver.idNumber, (v) => set((f) => void (f.driver.idNumber = v)))}
            {input(
              'driver.nationality',
              t('form.nationality'),
              form.driver.nationality,
              (v) => set((f) => void (f.driver.nationality = v)),
              { maxLength: 2 },
            )}
            {input('driver.phone', t('form.phone'), form.driver.phone, (v) => set((f) => void (f.driver.phone = v)), { type: 'tel' })}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('card.health')}</legend>
          <div class="grid">
            {input(
              'health.temperatureC',
              t('form.temperature'),
              form.health.temperatureC,
              (v) => set((f) => void (f.health.temperatureC = v)),
              { inputMode: 'decimal' },
            )}
            {input('health.symptoms', t('form.symptoms'), form.health.symptoms, (v) => set((f) => void (f.health.symptoms = v)))}
            {input('health.declaredAt', t('form.declaredAt'), form.health.declaredAt, (v) => set((f) => void (f.health.declaredAt = v)), {
              type: 'datetime-local',
            })}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('card.containers')}</legend>
          {listError('containers')}
          {form.containers.map((c, i) => (
            <div class="grid row-group" key={i} role="group" aria-label={t('form.container', { n: i + 1 })}>
              {input(`containers.${i}.number`, t('form.containerNo'), c.number, (v) => set((f) => void (f.containers[i].number = v)))}
              {input(`containers.${i}.sealNo`, t('form.sealNo'), c.sealNo, (v) => set((f) => void (f.containers[i].sealNo = v)))}
              <button type="button" class="secondary" onClick={() => set((f) => void f.containers.splice(i, 1))}>
                {t('form.removeContainer', { n: i + 1 })}
              </button>
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => set((f) => void f.containers.push({ number: '', sealNo: '' }))}>
            {t('form.addContainer')}
          </button>
        </fieldset>
        <fieldset>
          <legend>{t('card.goods')}</legend>
          {listError('goods')}
          {form.goods.map((g, i) => (
            <div class="grid row-group" key={i} role="group" aria-label={t('form.goodsLine', { n: i + 1 })}>
              {input(`goods.${i}.hsCode`, t('form.hsCode'), g.hsCode, (v) => set((f) => void (f.goods[i].hsCode = v)), {
                inputMode: 'numeric',
              })}
              {input(`goods.${i}.description`, t('form.description'), g.description, (v) => set((f) => void (f.goods[i].description = v)))}
              {input(`goods.${i}.quantity`, t('form.quantity'), g.quantity, (v) => set((f) => void (f.goods[i].quantity = v)), {
                inputMode: 'decimal',
              })}
              {input(`goods.${i}.unit`, t('form.unit'), g.unit, (v) => set((f) => void (f.goods[i].unit = v)))}
              {input(`goods.${i}.netWeightKg`, t('form.netWeight'), g.netWeightKg, (v) => set((f) => void (f.goods[i].netWeightKg = v)), {
                inputMode: 'decimal',
              })}
              {input(`goods.${i}.valueUsd`, t('form.value'), g.valueUsd, (v) => set((f) => void (f.goods[i].valueUsd = v)), {
                inputMode: 'decimal',
              })}
              {input(`goods.${i}.origin`, t('form.origin'), g.origin, (v) => set((f) => void (f.goods[i].origin = v)), { maxLength: 2 })}
              {form.goods.length > 1 && (
                <button type="button" class="secondary" onClick={() => set((f) => void f.goods.splice(i, 1))}>
                  {t('form.removeGoods', { n: i + 1 })}
                </button>
              )}
            </div>
          ))}
          <button type="button" class="secondary" onClick={() => set((f) => void f.goods.push(emptyGoods()))}>
            {t('form.addGoods')}
          </button>
        </fieldset>
        <div class="actions">
          <button type="submit" disabled={send.busy}>
            {send.busy ? t('form.sending') : correcting ? t('form.resubmit') : t('form.submit')}
          </button>
        </div>
      </form>
    </section>
  );
}
