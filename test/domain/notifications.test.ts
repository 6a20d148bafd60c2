import { driverMessage, languageFor, NOTIFICATION_EVENTS, type MessageFacts, type NotificationEvent } from '../../domain/notifications';

/** What a driver reads: Vietnamese, or Chinese for a Chinese driver; the gate and the plate named, nobody's name or ID. */

const VIETNAMESE_LETTERS = /[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]/i;
const HAN = /\p{Script=Han}/u;

const ref = { messageId: 'm-1', crossingId: null };
const vietnamese = { phone: '+84912345678', nationality: 'VN' };
const chinese = { phone: '+8613800138000', nationality: 'CN' };

const facts: MessageFacts = {
  gate: 'HUU_NGHI',
  gateName: 'Cửa khẩu quốc tế Hữu Nghị',
  plate: '12C-123.45',
  arriveBy: '2026-12-01T07:05:00Z',
  requeued: true,
  reason: 'Phía Trung Quốc tạm dừng thông quan',
  expectedReopenAt: '2026-12-02T01:00:00Z',
  step: 'health-check',
  estimatedCallAt: '2026-12-02T02:30:00Z',
  url: 'https://cuakhau.langson.gov.vn/#/driver?t=drv_0123456789abcdefghijABCDEFGHIJ_-',
  action: 'HOLD',
  orderMessage: 'Ùn tắc tại cổng, các xe dừng chờ tại bãi cho đến khi có thông báo mới',
  holdingAreaName: 'Bãi chờ Phú Xá',
  validUntil: '2026-12-02T03:00:00Z',
};

const body = (event: NotificationEvent, driver = vietnamese, f: MessageFacts = facts) => driverMessage(event, f, driver, ref)!.body;

describe('the language of a message', () => {
  it('is Chinese for a driver whose nationality is CN, Vietnamese for everyone else', () => {
    expect(languageFor('CN')).toBe('zh');
    expect(languageFor('VN')).toBe('vi');
    expect(languageFor('LA')).toBe('vi');
    expect(driverMessage('CALLED', facts, chinese, ref)).toMatchObject({ language: 'zh', phone: chinese.phone });
    expect(driverMessage('CALLED', facts, { phone: '+85620123456', nationality: 'LA' }, ref)?.language).toBe('vi');
  });

  it.each(NOTIFICATION_EVENTS)('of %s is written in Vietnamese or in Chinese, never a mix', (event) => {
    const vi = body(event, vietnamese);
    const zh = body(event, chinese);
    expect(vi).toMatch(VIETNAMESE_LETTERS);
    expect(vi).not.toMatch(HAN);
    expect(zh).toMatch(HAN);
    // Only the gate's own (Vietnamese) name and what officers wrote (a manager's reason, a police order and its holding
    // area) may bring Vietnamese letters into a Chinese text.
    const officers = [facts.gateName!, facts.reason!, facts.orderMessage!, facts.holdingAreaName!];
    expect(officers.reduce((text, words) => text.replace(words, ''), zh)).not.toMatch(VIETNAMESE_LETTERS);
  });
});

describe('a message to a driver', () => {
  it.each(NOTIFICATION_EVENTS)('of %s names the gate and the plate, and fits in a short SMS', (event) => {
    for (const driver of [vietnamese, chinese]) {
      const text = body(event, driver);
      expect(text).toContain(facts.gateName);
      expect(text).toContain(facts.plate);
      expect(text.length).toBeLessThan(300);
    }
  });

  it("carries the driver's link, and a police order with where to wait and until when", () => {
    expect(body('DRIVER_LINK')).toContain(` ${facts.url} `);
    expect(body('DRIVER_LINK', chinese)).toContain(` ${facts.url} `);
    expect(body('TRAFFIC_ORDER')).toBe(
      'Cửa khẩu quốc tế Hữu Nghị: lệnh của CSGT cho xe 12C-123.45: Dừng chờ tại Bãi chờ Phú Xá. ' +
        'Ùn tắc tại cổng, các xe dừng chờ tại bãi cho đến khi có thông báo mới. Hiệu lực đến 2026-12-02 10:00 UTC+7.',
    );
    expect(body('TRAFFIC_ORDER', chinese, { ...facts, action: 'DIVERT' })).toContain('绕行');
    expect(body('ORDER_WITHDRAWN', chinese)).toContain('已撤销');
  });

  it('names the gate by its code when its name is not given', () => {
    const { gateName: _name, ...byCode } = facts;
    expect(body('CLEARED', vietnamese, byCode)).toBe(
      'Cửa khẩu HUU_NGHI: xe 12C-123.45 đã hoàn thành thủ tục thông quan. Xe được phép rời khu vực qua barie cổng ra.',
    );
    expect(body('CLEARED', chinese, byCode)).toBe('【HUU_NGHI口岸】车辆12C-123.45已完成通关手续，可经出口道闸离开。');
  });

  it('calls the truck forward with the time to arrive by, in Vietnam’s local time', () => {
    expect(body('CALLED')).toBe(
      'Cửa khẩu quốc tế Hữu Nghị: đã đến lượt xe 12C-123.45. Vui lòng đưa xe đến cổng trước 2026-12-01 14:05 UTC+7.',
    );
    expect(body('CALLED', chinese)).toBe('【Cửa khẩu quốc tế Hữu Nghị】已轮到车辆12C-123.45，请于2026-12-01 14:05 UTC+7前到达闸口。');
  });

  it('tells a no-show it went to the back of the queue, only when it did', () => {
    expect(body('NO_SHOW')).toContain('xếp lại vào cuối hàng chờ');
    expect(body('NO_SHOW', chinese)).toContain('已重新排至队尾');
    expect(body('NO_SHOW', vietnamese, { ...facts, requeued: false })).not.toContain('hàng chờ');
    expect(body('NO_SHOW', chinese, { ...facts, requeued: false })).not.toContain('队尾');
  });

  it('says why a crossing ended, with the reason when one is given', () => {
    expect(body('EXPIRED', vietnamese, { ...facts, reason: 'Xe không đến sau hai lần gọi' })).toContain(
      'Lý do: Xe không đến sau hai lần gọi.',
    );
    const { reason: _reason, ...noReason } = facts;
    expect(body('EXPIRED', vietnamese, noReason)).toContain('vì xe không đến khi được gọi hoặc đã chờ quá thời hạn');
    expect(body('EXPIRED', chinese, noReason)).toContain('因车辆叫号后未到或等待超过时限');
  });

  it('tells of a closure with its reason and expected reopening, and that the place is kept', () => {
    expect(body('CLOSED')).toBe(
      'Cửa khẩu quốc tế Hữu Nghị tạm đóng: Phía Trung Quốc tạm dừng thông quan. Dự kiến mở lại lúc 2026-12-02 08:00 UTC+7. ' +
        'Xe 12C-123.45 vẫn giữ chỗ trong hàng chờ.',
    );
    expect(body('CLOSED', chinese)).toContain('预计于2026-12-02 08:00 UTC+7重新开放');
    expect(body('CLOSED', vietnamese, { ...facts, expectedReopenAt: null })).toContain('Chưa có giờ mở lại.');
    expect(body('CLOSED', chinese, { ...facts, expectedReopenAt: null })).toContain('重新开放时间待定');
  });

  it('keeps a long reason to one line and cuts it short', () => {
    const reason = `Bão số 3.\n${'Mưa lớn, sạt lở đường dẫn vào cửa khẩu. '.repeat(10)}`;
    const text = body('CLOSED', vietnamese, { ...facts, reason });
    expect(text).not.toContain('\n');
    expect(text).toContain('Bão số 3. Mưa lớn');
    expect(text).toContain('…');
    expect(text.length).toBeLessThan(300);
  });

  it('tells of a reopening, and when the truck is expected to be called', () => {
    expect(body('REOPENED')).toContain('đã mở lại');
    expect(body('REOPENED')).toContain('Dự kiến gọi xe lúc 2026-12-02 09:30 UTC+7.');
    expect(body('REOPENED', chinese)).toContain('按排队顺序继续叫号');
  });

  it('names the step that returned a form, in the driver’s language', () => {
    expect(body('RETURNED')).toBe(
      'Cửa khẩu quốc tế Hữu Nghị: hồ sơ của xe 12C-123.45 bị trả lại ở bước Kiểm dịch y tế. Doanh nghiệp khai báo cần sửa và nộp lại.',
    );
    expect(body('RETURNED', chinese)).toContain('在“卫生检疫”环节被退回');
  });

  it('is not drafted when the declaration gave no phone', () => {
    expect(driverMessage('CALLED', facts, { nationality: 'VN' }, ref)).toBeUndefined();
    expect(driverMessage('CALLED', facts, { phone: null, nationality: 'CN' }, ref)).toBeUndefined();
    expect(driverMessage('CALLED', facts, { phone: ' ', nationality: 'VN' }, ref)).toBeUndefined();
  });

  it('carries the reference it was given, for the outbox and the provider', () => {
    expect(driverMessage('CLEARED', facts, vietnamese, { messageId: 'cleared:abc', crossingId: 'c-1' })).toMatchObject({
      messageId: 'cleared:abc',
      crossingId: 'c-1',
      gate: 'HUU_NGHI',
      event: 'CLEARED',
    });
  });
});
