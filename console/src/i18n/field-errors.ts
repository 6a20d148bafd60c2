import type { Language } from '.';

/**
 * The sentences the API (and the same domain schemas in the browser) give for a field at fault are English; a
 * Vietnamese reader gets them in Vietnamese, looked up by the API's sentence. A sentence not listed here is shown as
 * the API wrote it, so nothing the API says is ever hidden.
 */
const VI: Record<string, string> = {
  'is required': 'bắt buộc phải nhập',
  'at least one goods line is required': 'cần ít nhất một dòng hàng',
  'at most 4 containers on one truck': 'một xe chở tối đa 4 container',
  'is above 45 °C': 'cao hơn 45 °C',
  'is below 30 °C': 'thấp hơn 30 °C',
  'is declared twice': 'bị khai hai lần',
  'is not a Vietnamese (12C-123.45) or Chinese (桂A12345) plate': 'không phải biển số Việt Nam (12C-123.45) hay Trung Quốc (桂A12345)',
  'is not an ISO 6346 container number with a correct check digit': 'không phải số container ISO 6346 có số kiểm tra đúng',
  'is over 1,000,000,000 USD': 'vượt quá 1.000.000.000 USD',
  'is over 10,000,000': 'vượt quá 10.000.000',
  'is over 100 t': 'vượt quá 100 tấn',
  'must be 1–20 letters or digits': 'phải gồm 1–20 chữ cái hoặc chữ số',
  'must be a 12-digit citizen ID (CCCD)': 'phải là số căn cước công dân 12 chữ số',
  'must be a gate code such as HUU_NGHI': 'phải là mã cửa khẩu, ví dụ HUU_NGHI',
  'must be a passport number (6–20 letters and digits)': 'phải là số hộ chiếu (6–20 chữ cái và chữ số)',
  'must be a phone number such as +84912345678': 'phải là số điện thoại, ví dụ +84912345678',
  'must be an HS code of 4 to 10 digits': 'phải là mã HS gồm 4 đến 10 chữ số',
  'must be an ISO 3166 two-letter country code such as VN or CN': 'phải là mã quốc gia hai chữ cái, ví dụ VN hoặc CN',
  'must be an ISO 8601 time with an offset, such as 2026-11-22T08:00:00+07:00':
    'phải là thời điểm có múi giờ, ví dụ 2026-11-22T08:00:00+07:00',
  'must be in the future': 'phải là thời điểm trong tương lai',
  'must be within 7 days': 'phải trong vòng 7 ngày tới',
  'must be positive': 'phải lớn hơn 0',
  'must be the 12-digit customs declaration number': 'phải là số tờ khai hải quan gồm 12 chữ số',
  'must be whole kilograms': 'phải là số kilôgam nguyên',
  'must not be in the future': 'không được ở tương lai',
  'must not be negative': 'không được âm',
  'must not contain control characters, lone surrogates or bidirectional overrides':
    'không được chứa ký tự điều khiển, ký tự thay thế lẻ hoặc ký tự đảo chiều',
  'must not contain control characters (other than tab and newline), lone surrogates or bidirectional overrides':
    'không được chứa ký tự điều khiển (trừ tab và xuống dòng), ký tự thay thế lẻ hoặc ký tự đảo chiều',
  // Webhook subscriptions (api/routes/webhooks.ts, infra/webhook-post.ts)
  'must be an absolute URL, such as https://customs.example/hooks': 'phải là địa chỉ URL đầy đủ, ví dụ https://customs.example/hooks',
  'must be an http or https URL': 'phải là địa chỉ http hoặc https',
  'must be an https URL': 'phải là địa chỉ https',
  'must not carry a user name or password': 'không được chứa tên đăng nhập hay mật khẩu',
  'must not point at a private, loopback or link-local address': 'không được trỏ đến địa chỉ nội bộ, loopback hoặc link-local',
  'must not point at this machine': 'không được trỏ đến chính máy chủ này',
  'must name at least one event': 'phải chọn ít nhất một sự kiện',
  'must not name an event twice': 'không được chọn một sự kiện hai lần',
  'must name at least one gate, or be left out': 'phải chọn ít nhất một cửa khẩu, hoặc để trống',
  "is required: the agency's or partner's account the events are for":
    'bắt buộc: chọn tài khoản của cơ quan chuyên ngành hoặc cơ quan phía bạn nhận các sự kiện',
  'is not an account': 'không phải là tài khoản',
  "is a declarant's: declarants subscribe themselves": 'là tài khoản doanh nghiệp: doanh nghiệp tự đăng ký cho mình',
  'is disabled': 'đang bị khóa',
  'is not a gate the account serves': 'không phải cửa khẩu tài khoản này phụ trách',
  'must be an account id (a UUID)': 'phải là mã tài khoản (UUID)',
};

export function fieldError(language: Language, message: string): string {
  return language === 'vi' ? (VI[message] ?? message) : message;
}
