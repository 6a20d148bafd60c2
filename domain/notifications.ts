import { gateLocalTime } from './local-time';

/**
 * SMS to drivers (API.md "The virtual queue"; DESIGN.md "Notifications and events out"): what each event tells the
 * driver, in Vietnamese, or in Chinese for a driver whose nationality is `CN`. Pure: the queue, the API and the
 * activities make drafts here, write them with `enqueueNotifications` in the transaction of what they tell, and the
 * worker's sender (worker/notification-sender.ts) delivers them.
 *
 * A text names the gate and the plate only: no driver's name, ID number or company, since an SMS is read on a
 * shared phone and kept by the carrier. Each stays under 300 characters (at most five parts of a Unicode SMS).
 */

export const NOTIFICATION_EVENTS = [
  'CALLED',
  'NO_SHOW',
  'EXPIRED',
  'CLOSED',
  'REOPENED',
  'RETURNED',
  'CLEARED',
  'DRIVER_LINK',
  'TRAFFIC_ORDER',
  'ORDER_WITHDRAWN',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export type SmsLanguage = 'vi' | 'zh';
export const SMS_LANGUAGES = ['vi', 'zh'] as const satisfies readonly SmsLanguage[];

/** A message to one phone, as it is written to the `notification` table; `messageId` is the provider's de-duplication key. */
export interface NotificationDraft {
  messageId: string;
  crossingId: string | null;
  gate: string;
  event: NotificationEvent;
  phone: string;
  language: SmsLanguage;
  body: string;
}

/** What a message says; every field is optional except the gate and plate. Times are ISO strings, shown in Vietnam's local time (Asia/Ho_Chi_Minh, see domain/local-time.ts). */
export interface MessageFacts {
  gate: string;
  gateName?: string;
  plate: string;
  arriveBy?: string;
  requeued?: boolean;
  reason?: string;
  expectedReopenAt?: string | null;
  step?: string;
  estimatedCallAt?: string | null;
  /** The driver page's link (DRIVER_LINK). */
  url?: string;
  /** A traffic police order (TRAFFIC_ORDER, ORDER_WITHDRAWN): its action, the officer's words, where to wait, until when. */
  action?: 'HOLD' | 'PROCEED' | 'DIVERT';
  orderMessage?: string;
  holdingAreaName?: string | null;
  validUntil?: string;
}

/** Chinese for a Chinese driver, Vietnamese for everyone else. */
export function languageFor(nationality: string): SmsLanguage {
  return nationality.trim().toUpperCase() === 'CN' ? 'zh' : 'vi';
}

/** The draft of a message to a driver, or undefined when the declaration gave no phone. */
export function driverMessage(
  event: NotificationEvent,
  facts: MessageFacts,
  driver: { phone?: string | null; nationality: string },
  ref: { messageId: string; crossingId: string | null },
): NotificationDraft | undefined {
  const phone = driver.phone?.trim();
  if (!phone) return undefined;
  const language = languageFor(driver.nationality);
  return { ...ref, gate: facts.gate, event, phone, language, body: CATALOGUES[language][event](told(facts)) };
}

/** The facts as a text shows them: times in the gate's local time, free text on one line and cut short. */
interface Told {
  gate: string;
  gateName: string | undefined;
  plate: string;
  arriveBy: string | undefined;
  requeued: boolean;
  reason: string | undefined;
  expectedReopenAt: string | undefined;
  step: string | undefined;
  estimatedCallAt: string | undefined;
  url: string;
  action: 'HOLD' | 'PROCEED' | 'DIVERT' | undefined;
  orderMessage: string | undefined;
  holdingAreaName: string | undefined;
  validUntil: string | undefined;
}

/** A manager's reason is free text: put on one line, its closing stop dropped (the text adds its own), and cut short. */
const REASON_MAX = 100;

/** At most `max` characters (code points, so a character outside the BMP is never cut in half), `…` marking a cut. */
function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

function told(facts: MessageFacts): Told {
  const time = (at: string | null | undefined) => (at ? gateLocalTime(at, { seconds: false }) : undefined);
  const reason = facts.reason
    ?.replace(/\s+/g, ' ')
    .trim()
    .replace(/[.。!！]+$/, '');
  return {
    gate: facts.gate,
    gateName: facts.gateName?.trim() || undefined,
    plate: facts.plate.trim(),
    arriveBy: time(facts.arriveBy),
    requeued: facts.requeued ?? false,
    reason: reason ? clip(reason, REASON_MAX) : undefined,
    expectedReopenAt: time(facts.expectedReopenAt),
    step: facts.step,
    estimatedCallAt: time(facts.estimatedCallAt),
    url: facts.url ?? '',
    action: facts.action,
    orderMessage: facts.orderMessage ? clip(oneLine(facts.orderMessage), ORDER_MAX) : undefined,
    holdingAreaName: facts.holdingAreaName?.trim() ? clip(oneLine(facts.holdingAreaName), NAME_MAX) : undefined,
    validUntil: time(facts.validUntil),
  };
}

/** An officer's order, put on one line and cut short: the SMS carries its gist, the driver page the whole of it. */
const ORDER_MAX = 120;
/** A holding area's name as an admin typed it (up to 200 characters), cut so the text stays one short SMS. */
const NAME_MAX = 60;
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

type Catalogue = Record<NotificationEvent, (f: Told) => string>;

/** The steps as the console names them (console/src/i18n/vi.ts), for a returned form. */
const STEP_NAMES: Record<SmsLanguage, Record<string, string>> = {
  vi: {
    declaration: 'Khai báo',
    'health-check': 'Kiểm dịch y tế',
    'border-entry': 'Biên phòng — vào',
    quarantine: 'Kiểm dịch động, thực vật',
    transshipment: 'Sang tải',
    'customs-inspection': 'Kiểm hóa hải quan',
    'fee-payment': 'Nộp phí hạ tầng',
    'border-exit': 'Biên phòng — ra',
  },
  zh: {
    declaration: '申报',
    'health-check': '卫生检疫',
    'border-entry': '边防检查（入境）',
    quarantine: '动植物检疫',
    transshipment: '换装',
    'customs-inspection': '海关查验',
    'fee-payment': '缴纳基础设施使用费',
    'border-exit': '边防检查（出境）',
  },
};

const stepName = (language: SmsLanguage, step: string | undefined) => (step ? (STEP_NAMES[language][step] ?? step) : undefined);

/*
 * One catalogue per language, keyed by event. The gate opens each text as its sender: its name when known (the seeded
 * names already say "Cửa khẩu …"), else "Cửa khẩu <code>"; in Chinese in the 【…】 brackets SMS senders sign with.
 */
const vi = (f: Told) => f.gateName ?? `Cửa khẩu ${f.gate}`;
const zh = (f: Told) => `【${f.gateName ?? `${f.gate}口岸`}】`;

/** What a traffic order asks, as the driver reads it. */
const VI_ACTIONS = { HOLD: 'Dừng chờ', PROCEED: 'Được đi tiếp', DIVERT: 'Đi đường khác' } as const;
const ZH_ACTIONS = { HOLD: '原地等候', PROCEED: '继续前行', DIVERT: '绕行' } as const;

const CATALOGUES: Record<SmsLanguage, Catalogue> = {
  vi: {
    CALLED: (f) =>
      `${vi(f)}: đã đến lượt xe ${f.plate}. ` +
      (f.arriveBy ? `Vui lòng đưa xe đến cổng trước ${f.arriveBy}.` : 'Vui lòng đưa xe đến cổng ngay.'),
    NO_SHOW: (f) => `${vi(f)}: xe ${f.plate} không đến cổng khi được gọi.` + (f.requeued ? ' Xe đã được xếp lại vào cuối hàng chờ.' : ''),
    EXPIRED: (f) =>
      `${vi(f)}: lượt thông quan của xe ${f.plate} đã kết thúc` +
      (f.reason ? `. Lý do: ${f.reason}.` : ' vì xe không đến khi được gọi hoặc đã chờ quá thời hạn.'),
    CLOSED: (f) =>
      `${vi(f)} tạm đóng` +
      (f.reason ? `: ${f.reason}.` : '.') +
      (f.expectedReopenAt ? ` Dự kiến mở lại lúc ${f.expectedReopenAt}.` : ' Chưa có giờ mở lại.') +
      ` Xe ${f.plate} vẫn giữ chỗ trong hàng chờ.`,
    REOPENED: (f) =>
      `${vi(f)} đã mở lại. Việc gọi xe tiếp tục theo thứ tự hàng chờ; xe ${f.plate} vẫn giữ chỗ.` +
      (f.estimatedCallAt ? ` Dự kiến gọi xe lúc ${f.estimatedCallAt}.` : ''),
    RETURNED: (f) =>
      `${vi(f)}: hồ sơ của xe ${f.plate} bị trả lại` +
      (f.step ? ` ở bước ${stepName('vi', f.step)}` : '') +
      '. Doanh nghiệp khai báo cần sửa và nộp lại.',
    CLEARED: (f) => `${vi(f)}: xe ${f.plate} đã hoàn thành thủ tục thông quan. Xe được phép rời khu vực qua barie cổng ra.`,
    DRIVER_LINK: (f) =>
      `${vi(f)}: theo dõi xe ${f.plate}, lượt gọi xe và lệnh điều tiết giao thông tại ${f.url} . Giữ trang mở và bật định vị suốt hành trình.`,
    TRAFFIC_ORDER: (f) =>
      `${vi(f)}: lệnh của CSGT cho xe ${f.plate}: ${VI_ACTIONS[f.action ?? 'HOLD']}` +
      (f.holdingAreaName ? ` tại ${f.holdingAreaName}` : '') +
      (f.orderMessage ? `. ${f.orderMessage}` : '') +
      (f.validUntil ? `. Hiệu lực đến ${f.validUntil}.` : '.'),
    ORDER_WITHDRAWN: (f) =>
      `${vi(f)}: lệnh ${VI_ACTIONS[f.action ?? 'HOLD'].toLowerCase()} của CSGT cho xe ${f.plate} đã được hủy. Đi theo hướng dẫn trên trang theo dõi.`,
  },
  zh: {
    CALLED: (f) => `${zh(f)}已轮到车辆${f.plate}，` + (f.arriveBy ? `请于${f.arriveBy}前到达闸口。` : '请立即前往闸口。'),
    NO_SHOW: (f) => `${zh(f)}车辆${f.plate}叫号后未到达闸口。` + (f.requeued ? '已重新排至队尾。' : ''),
    EXPIRED: (f) => `${zh(f)}车辆${f.plate}的本次通关已终止` + (f.reason ? `。原因：${f.reason}。` : '，因车辆叫号后未到或等待超过时限。'),
    CLOSED: (f) =>
      `${zh(f)}本口岸暂时关闭` +
      (f.reason ? `：${f.reason}。` : '。') +
      (f.expectedReopenAt ? `预计于${f.expectedReopenAt}重新开放。` : '重新开放时间待定。') +
      `车辆${f.plate}的排队位置保持不变。`,
    REOPENED: (f) =>
      `${zh(f)}本口岸已重新开放，将按排队顺序继续叫号，车辆${f.plate}的排队位置不变。` +
      (f.estimatedCallAt ? `预计叫号时间：${f.estimatedCallAt}。` : ''),
    RETURNED: (f) =>
      `${zh(f)}车辆${f.plate}的申报材料` + (f.step ? `在“${stepName('zh', f.step)}”环节` : '') + '被退回，需由申报企业更正后重新提交。',
    CLEARED: (f) => `${zh(f)}车辆${f.plate}已完成通关手续，可经出口道闸离开。`,
    DRIVER_LINK: (f) => `${zh(f)}车辆${f.plate}的通关状态、叫号和交通指令请查看 ${f.url} 。请全程保持页面打开并开启定位。`,
    TRAFFIC_ORDER: (f) =>
      `${zh(f)}交警对车辆${f.plate}的指令：${ZH_ACTIONS[f.action ?? 'HOLD']}` +
      (f.holdingAreaName ? `（${f.holdingAreaName}）` : '') +
      (f.orderMessage ? `。${f.orderMessage}` : '') +
      (f.validUntil ? `。有效至${f.validUntil}。` : '。'),
    ORDER_WITHDRAWN: (f) => `${zh(f)}交警对车辆${f.plate}的“${ZH_ACTIONS[f.action ?? 'HOLD']}”指令已撤销，请按跟踪页面的提示行驶。`,
  },
};
