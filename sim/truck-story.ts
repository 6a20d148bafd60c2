import { setTimeout as sleep } from 'node:timers/promises';
import { plateRead, sendRead, type Action, type Device, type PlateRead, type Point } from './devices';
import { change, pause, read, yardsNow, type Floor } from './floor';
import { misread, vietnameseLorry } from './plates';
import type { TruckPlan } from './truck-plans';

/** A clean read by a camera that sees the plate well. */
const CLEAR = 0.97;
/** Below the gate's default threshold (0.8): never matched. */
const MURKY = 0.55;
/** Confident, yet wrong: the OCR is sure of an O where the plate has a 0. */
const SURE_BUT_WRONG = 0.93;

interface Truck {
  plan: TruckPlan;
  crossingId: string;
}

/** How a read's answer should name the crossing: the truck's own, none (unmatched), or either (a doubtful match). */
type Expect = { action: readonly Action[]; crossing: 'own' | 'none' | 'any' };

/**
 * One read at a point, printed, checked against what the floor should answer, and counted as an arrival when the
 * gate should count it. Returns the read and its answer for the caller's next move.
 */
async function readAt(floor: Floor, truck: Truck | undefined, label: string, point: Point, r: PlateRead, expect: Expect, note = '') {
  const device = floor.devices[point];
  const res = await sendRead(floor.call, device, r);
  let yards = '';
  if (res.status === 200 && point.startsWith('YARD')) yards = `· ${await yardsNow(floor)}`;
  floor.log.read(label, device, r, res, expect.action, [note, yards].filter(Boolean).join(' '));
  if (res.status === 200) {
    const got = res.body.crossingId;
    const own = truck?.crossingId;
    if (expect.crossing === 'own' && got !== own)
      floor.log.surprise(`${label} ${point} ${r.plate}: matched ${got ?? 'nothing'}, not its crossing`);
    if (expect.crossing === 'none' && got !== null)
      floor.log.surprise(`${label} ${point} ${r.plate}: matched ${got} although it should not match`);
    if (expect.crossing === 'own' && own && got === own) floor.log.arrival(device, own, r.at);
  }
  return { device, read: r, res };
}

/** A read that should end on the guard's exception list (API.md: `GET /v1/gate-events?gate&unmatched=true`). */
function toTheGuard(floor: Floor, r: PlateRead, why: string): void {
  floor.log.exceptions.set(r.eventId, why);
}

/**
 * The border guard at the exception list: finds the doubtful read among the unmatched ones and links it to the truck
 * it really is (`POST /v1/gate-events/{eventId}/match`). The link is that truck's arrival at that point.
 */
async function guardLinks(floor: Floor, truck: Truck, device: Device, r: PlateRead): Promise<void> {
  const { label, plate } = truck.plan;
  const list = await read(floor, `/v1/gate-events?gate=${floor.gate}&unmatched=true`, floor.people.guard, 'the exception list');
  const items = (list.body?.items ?? []) as { eventId: string }[];
  const onList = items.some((e) => e.eventId === r.eventId);
  if (!onList) floor.log.surprise(`${label} ${device.point} ${r.plate}: not on the guard's exception list (${items.length} there)`);
  floor.log.step(
    label,
    plate,
    `border guard: ${r.plate} is on the exception list${onList ? '' : ' ‼ (it is not)'}; it is ${plate}, linked by hand`,
  );
  await change(
    floor,
    'POST',
    `/v1/gate-events/${r.eventId}/match`,
    floor.people.guard,
    { crossingId: truck.crossingId },
    `linking ${r.plate}`,
  );
  floor.log.linked.add(r.eventId);
  floor.log.arrival(device, truck.crossingId, r.at);
}

async function decide(floor: Floor, truck: Truck, who: string, token: string, step: string, body: object = { outcome: 'APPROVE' }) {
  const res = await change(floor, 'POST', `/v1/crossings/${truck.crossingId}/steps/${step}/decision`, token, body, step);
  floor.log.step(
    truck.plan.label,
    truck.plan.plate,
    `${who} approves ${step} → ${res.body.status}${res.body.currentStep ? `, at ${res.body.currentStep}` : ''}`,
  );
  return res.body as { status: string; currentStep: string | null };
}

/** Waits a few seconds for the system to approve a GREEN crossing's customs inspection; false when it did not. */
async function systemApprovesCustoms(floor: Floor, truck: Truck): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    const view = (await read(floor, `/v1/crossings/${truck.crossingId}`, floor.people.manager, 'the crossing')).body;
    const step = (view.steps as { step: string; status: string; decidedBy?: string }[]).find((s) => s.step === 'customs-inspection');
    if (step?.status === 'APPROVED') {
      floor.log.step(
        truck.plan.label,
        truck.plan.plate,
        `green channel: customs-inspection approved by ${step.decidedBy ?? '?'} → at ${view.currentStep}`,
      );
      return true;
    }
    await sleep(250);
  }
  return false;
}

/** One truck from declaration to the exit barrier, as the floor sees it. */
export async function truckStory(floor: Floor, plan: TruckPlan): Promise<string> {
  const { label, plate, twist } = plan;
  const p = floor.people;
  const own: Expect = { action: ['HOLD'], crossing: 'own' };
  const camera: Expect = { action: ['NONE'], crossing: 'own' };
  const open: Expect = { action: ['OPEN'], crossing: 'own' };

  const declared = await change(floor, 'POST', '/v1/crossings', p.company, plan.declaration, 'declaring');
  const truck: Truck = { plan, crossingId: declared.body.id };
  const goods = plan.declaration.goods[0].description;
  floor.log.step(label, plate, `declared: ${plan.declaration.direction.toLowerCase()}, ${goods}; crossing ${truck.crossingId}`);
  await pause(floor);

  // The truck reaches the entry barrier before the border guard has admitted it: held.
  let murky: PlateRead | undefined;
  if (twist === 'low-confidence') {
    murky = plateRead(plate, MURKY);
    await readAt(floor, truck, label, 'BARRIER_ENTRY', murky, { action: ['HOLD'], crossing: 'none' }, '(dirty plate)');
    toTheGuard(floor, murky, 'low confidence');
    await pause(floor);
  }
  const first = await readAt(floor, truck, label, 'BARRIER_ENTRY', plateRead(plate, CLEAR), own);
  // The clean read continues the dirty one's run (same plate, same device, within 60 s): the run is matched, and
  // its entry leaves the exception list without the guard.
  if (murky && first.res.body?.crossingId === truck.crossingId) floor.log.resolved.add(murky.eventId);
  if (twist === 'repeats') {
    // The controller reads the waiting truck again and again; and resends its first read after a lost answer.
    for (let n = 0; n < 2; n++) {
      await sleep(700);
      await readAt(floor, truck, label, 'BARRIER_ENTRY', plateRead(plate, CLEAR - 0.02 * n), own, '(read again)');
    }
    const again = await sendRead(floor.call, floor.devices.BARRIER_ENTRY, first.read);
    const same = again.status === first.res.status && JSON.stringify(again.body) === JSON.stringify(first.res.body);
    floor.log.reads++;
    if (!same) floor.log.surprise(`${label} the resent event ${first.read.eventId} got another answer`);
    floor.log.step(
      label,
      plate,
      `the same event resent: ${same ? 'the first answer again' : `‼ another answer: ${JSON.stringify(again.body)}`}`,
    );
  }
  await pause(floor);

  await decide(floor, truck, 'health officer', p.health, 'health-check');
  await pause(floor);
  await decide(floor, truck, 'border guard', p.guard, 'border-entry');
  await pause(floor);

  if (twist === 'zero-misread') {
    const wrong = plateRead(misread(plate, '0'), SURE_BUT_WRONG);
    const r = await readAt(floor, truck, label, 'BARRIER_ENTRY', wrong, { action: ['HOLD'], crossing: 'any' }, '(0 read as O)');
    toTheGuard(floor, wrong, 'O read for 0');
    await pause(floor);
    await guardLinks(floor, truck, r.device, wrong);
    await pause(floor);
  }
  await readAt(floor, truck, label, 'BARRIER_ENTRY', plateRead(plate, CLEAR), open);
  await pause(floor);

  await readAt(floor, truck, label, 'YARD_ENTRY', plateRead(plate, CLEAR), camera);
  if (twist === 'repeats') {
    await sleep(500);
    await readAt(floor, truck, label, 'YARD_ENTRY', plateRead(plate, 0.95), camera, '(read again)');
  }
  await pause(floor);

  await change(floor, 'POST', `/v1/crossings/${truck.crossingId}/customs-channel`, p.customs, { channel: plan.channel }, 'customs channel');
  floor.log.step(label, plate, `customs channel ${plan.channel}`);
  await pause(floor);

  if (plan.declaration.goods.some((g) => g.hsCode.startsWith('08'))) {
    await decide(floor, truck, 'quarantine officer', p.quarantine, 'quarantine');
    await pause(floor);
  }
  if (plan.channel !== 'GREEN' || !(await systemApprovesCustoms(floor, truck))) {
    if (plan.channel === 'GREEN') floor.log.surprise(`${label} GREEN channel, yet customs-inspection still waits for an officer`);
    await decide(floor, truck, 'customs officer', p.customs, 'customs-inspection');
  }
  await pause(floor);
  await decide(floor, truck, 'fee collector', p.fees, 'fee-payment', { outcome: 'APPROVE', receiptNo: `SIM-${Date.now() % 1_000_000}` });
  await pause(floor);

  if (twist === 'eight-misread') {
    const wrong = plateRead(misread(plate, '8'), SURE_BUT_WRONG);
    const r = await readAt(floor, truck, label, 'YARD_EXIT', wrong, { action: ['HOLD', 'NONE'], crossing: 'any' }, '(8 read as B)');
    toTheGuard(floor, wrong, 'B read for 8');
    await pause(floor);
    await guardLinks(floor, truck, r.device, wrong);
  } else {
    await readAt(floor, truck, label, 'YARD_EXIT', plateRead(plate, CLEAR), camera);
  }
  await pause(floor);

  // At the exit barrier before the guard's last check: held; once CLEARED: open.
  await readAt(floor, truck, label, 'BARRIER_EXIT', plateRead(plate, CLEAR), own);
  await pause(floor);
  const exit = await decide(floor, truck, 'border guard', p.guard, 'border-exit');
  if (exit.status !== 'CLEARED') throw new Error(`${label} ended ${exit.status} instead of CLEARED`);
  await pause(floor);
  await readAt(floor, truck, label, 'BARRIER_EXIT', plateRead(plate, CLEAR), open);
  return truck.crossingId;
}

/** A truck no one declared (or whose plate the declarant mistyped) at the entry barrier: held, and on the list. */
export async function strangerStory(floor: Floor): Promise<void> {
  const plate = vietnameseLorry();
  const none: Expect = { action: ['HOLD'], crossing: 'none' };
  const r = await readAt(floor, undefined, '?', 'BARRIER_ENTRY', plateRead(plate, CLEAR), none, '(not declared)');
  toTheGuard(floor, r.read, 'unknown plate');
  await sleep(900);
  // The same run: still one entry on the list, its first read.
  await readAt(floor, undefined, '?', 'BARRIER_ENTRY', plateRead(plate, CLEAR), none, '(read again)');
}
