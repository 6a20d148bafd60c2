import type { HoldingArea, Segment } from '../../../domain/tracking';

/**
 * A plausible approach corridor and holding area for each seeded gate (API.md: "seeded gates get a plausible
 * corridor"), drawn along the national roads that lead to them: QL1A from Lạng Sơn city through Đồng Đăng to Hữu
 * Nghị, QL4A west to Tân Thanh, QL18 into Móng Cái and the Bắc Luân II bridge, QL4E/Trần Hưng Đạo to Kim Thành.
 * Coordinates are approximate (a few hundred metres): an admin corrects them with PUT /v1/admin/gates/{code}.
 * Frozen into the tracking migration: change the seeds with a new migration, never here.
 */
export const SEEDED_CORRIDORS: Record<string, { corridor: Segment[]; holdingAreas: HoldingArea[] }> = {
  HUU_NGHI: {
    corridor: [
      { code: 'QL1A-1', name: 'QL1A Lạng Sơn – Phú Xá', order: 1, widthM: 80, path: [[21.8735, 106.7468], [21.8890, 106.7370], [21.9050, 106.7265]] },
      { code: 'QL1A-2', name: 'QL1A Phú Xá – Đồng Đăng', order: 2, widthM: 80, path: [[21.9050, 106.7265], [21.9240, 106.7140], [21.9440, 106.7010]] },
      { code: 'QL1A-3', name: 'QL1A Đồng Đăng – cửa khẩu Hữu Nghị', order: 3, widthM: 80, path: [[21.9440, 106.7010], [21.9580, 106.7030], [21.9700, 106.7055]] },
    ],
    holdingAreas: [{ code: 'BAI-CHO-PHU-XA', name: 'Bãi chờ Phú Xá', polygon: [[21.9030, 106.7290], [21.9075, 106.7290], [21.9075, 106.7340], [21.9030, 106.7340]] }],
  },
  TAN_THANH: {
    corridor: [
      { code: 'QL4A-1', name: 'QL4A Na Sầm – Tân Mỹ', order: 1, widthM: 60, path: [[21.8930, 106.6420], [21.8780, 106.6150], [21.8650, 106.5900]] },
      { code: 'QL4A-2', name: 'Đường vào cửa khẩu Tân Thanh', order: 2, widthM: 60, path: [[21.8650, 106.5900], [21.8560, 106.5780], [21.8470, 106.5690]] },
    ],
    holdingAreas: [{ code: 'BAI-CHO-TAN-MY', name: 'Bãi chờ Tân Mỹ', polygon: [[21.8770, 106.6180], [21.8810, 106.6180], [21.8810, 106.6230], [21.8770, 106.6230]] }],
  },
  BAC_LUAN_II: {
    corridor: [
      { code: 'QL18-1', name: 'QL18 Hải Hòa – Móng Cái', order: 1, widthM: 80, path: [[21.4980, 107.9020], [21.5120, 107.9280], [21.5240, 107.9460]] },
      { code: 'QL18-2', name: 'Đường ra cầu Bắc Luân II', order: 2, widthM: 80, path: [[21.5240, 107.9460], [21.5330, 107.9560], [21.5410, 107.9620]] },
    ],
    holdingAreas: [{ code: 'BAI-CHO-HAI-HOA', name: 'Bãi chờ Hải Hòa', polygon: [[21.5100, 107.9300], [21.5140, 107.9300], [21.5140, 107.9350], [21.5100, 107.9350]] }],
  },
  KIM_THANH: {
    corridor: [
      { code: 'QL4E-1', name: 'QL4E Bắc Lệnh – Duyên Hải', order: 1, widthM: 60, path: [[22.4560, 103.9920], [22.4760, 103.9810], [22.4930, 103.9720]] },
      { code: 'QL4E-2', name: 'Đường vào cửa khẩu Kim Thành', order: 2, widthM: 60, path: [[22.4930, 103.9720], [22.5020, 103.9660], [22.5100, 103.9620]] },
    ],
    holdingAreas: [{ code: 'BAI-CHO-DUYEN-HAI', name: 'Bãi chờ Duyên Hải', polygon: [[22.4790, 103.9830], [22.4830, 103.9830], [22.4830, 103.9880], [22.4790, 103.9880]] }],
  },
};
