import { randomInt } from 'node:crypto';
import type { DeclarationInput } from '../domain/declaration';
import { RUBBER } from '../test/system/crossing-flow';
import { declaration } from '../test/system/fixtures';
import { chineseLorry, vietnameseLorry, vietnameseTrailer } from './plates';

/**
 * The trucks the simulator sends, five kinds in turn, so that five trucks show every case the gate floor handles:
 *
 * | # | cargo                      | channel | what happens on the floor                                              |
 * |---|----------------------------|---------|------------------------------------------------------------------------|
 * | 1 | dragon fruit, export       | GREEN   | the barrier reads the plate three times in two seconds; one arrival   |
 * | 2 | natural rubber, export     | YELLOW  | a read with 0 taken for O: doubtful, held, linked by the guard         |
 * | 3 | natural rubber, export     | GREEN   | a low-confidence read first (held, left on the list), then a clean one |
 * | 4 | dragon fruit, export       | RED     | the yard-exit camera takes 8 for B: doubtful, linked by the guard      |
 * | 5 | apples from Guangxi, import| GREEN   | a Chinese truck (桂 plate, Chinese driver), read cleanly              |
 */
export type Twist = 'repeats' | 'zero-misread' | 'low-confidence' | 'eight-misread' | 'clean';
export type Channel = 'GREEN' | 'YELLOW' | 'RED';

export interface TruckPlan {
  label: string;
  plate: string;
  twist: Twist;
  channel: Channel;
  declaration: DeclarationInput;
}

const FRUIT = declaration().goods[0];
const APPLES = {
  hsCode: '08081000',
  description: 'Fresh apples',
  quantity: 1500,
  unit: 'CARTON',
  netWeightKg: 15000,
  valueUsd: 18000,
  origin: 'CN',
};
const DRIVERS = ['Nguyễn Văn Hùng', 'Trần Minh Tuấn', 'Lê Quang Hải', 'Phạm Đức Long', 'Hoàng Văn Nam', 'Vũ Thị Lan', 'Đặng Văn Thắng'];

function digits(n: number): string {
  return Array.from({ length: n }, () => String(randomInt(10))).join('');
}

export function truckPlan(i: number, gate: string): TruckPlan {
  const kind = i % 5;
  const twist = (['repeats', 'zero-misread', 'low-confidence', 'eight-misread', 'clean'] as const)[kind];
  const channel = (['GREEN', 'YELLOW', 'GREEN', 'RED', 'GREEN'] as const)[kind];
  const chinese = kind === 4;
  // The misread trucks carry the digit their camera will get wrong.
  const plate = chinese ? chineseLorry() : vietnameseLorry(kind === 1 ? '0' : kind === 3 ? '8' : undefined);
  const now = new Date().toISOString();
  return {
    label: `#${i + 1}`,
    plate,
    twist,
    channel,
    declaration: declaration({
      gate,
      direction: chinese ? 'IMPORT' : 'EXPORT',
      priority: kind === 0 ? { reason: 'PERISHABLE' } : null,
      customsDeclarationNo: `${chinese ? '10' : '30'}${digits(10)}`,
      vehicle: {
        plate,
        trailerPlate: chinese ? null : vietnameseTrailer(),
        country: chinese ? 'CN' : 'VN',
        grossWeightKg: 30000 + randomInt(8000),
      },
      driver: chinese
        ? { fullName: 'Li Wei', idNumber: `E${digits(8)}`, nationality: 'CN', phone: `+86138${digits(8)}` }
        : { fullName: DRIVERS[i % DRIVERS.length], idNumber: `020${digits(9)}`, nationality: 'VN', phone: `+8491${digits(7)}` },
      health: { temperatureC: 36.5, symptoms: [], declaredAt: now },
      goods: [kind === 1 || kind === 2 ? RUBBER : chinese ? APPLES : FRUIT],
    }),
  };
}
