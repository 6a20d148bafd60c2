import { containerCheckDigit, isValidContainerNumber, isValidPlate, normalisePlate } from '../../domain/identifiers';
import { categoryOf } from '../../domain/category';
import { needsQuarantine } from '../../domain/steps';

describe('identifiers at the gate', () => {
  it.each(['12C-123.45', '12C-1234', '14LD-123.45', '29A1-234.56', '12r-012.34', '桂A12345', '云AD12345'])(
    'accepts the plate %s',
    (plate) => {
      expect(isValidPlate(plate)).toBe(true);
    },
  );

  it.each(['', 'ABC', '123-456', '12-12345', '桂12345'])('refuses the plate %p', (plate) => {
    expect(isValidPlate(plate)).toBe(false);
  });

  it('compares a camera read with a declaration in one canonical form', () => {
    expect(normalisePlate('12c 123.45')).toBe(normalisePlate('12C-123.45'));
  });

  it('verifies ISO 6346 check digits', () => {
    expect(containerCheckDigit('CSQU305438')).toBe(3); // the standard's own example
    expect(isValidContainerNumber('CSQU3054383')).toBe(true);
    expect(isValidContainerNumber('MSCU1234566')).toBe(true);
    expect(isValidContainerNumber('MSCU1234567')).toBe(false);
    expect(isValidContainerNumber('MSCX1234566')).toBe(false);
  });

  it('puts priority first, then transshipment, then the direction', () => {
    expect(categoryOf({ priority: { reason: 'PERISHABLE' }, transshipment: true, direction: 'EXPORT' })).toBe('PRIORITY');
    expect(categoryOf({ priority: null, transshipment: true, direction: 'EXPORT' })).toBe('TRANSSHIPMENT');
    expect(categoryOf({ priority: null, transshipment: false, direction: 'IMPORT' })).toBe('IMPORT');
  });

  it('sends HS chapters 01–14 to quarantine and nothing else', () => {
    const line = (hsCode: string) => ({ goods: [{ hsCode }] }) as Parameters<typeof needsQuarantine>[0];
    expect(needsQuarantine(line('03061100'))).toBe(true); // frozen shrimp
    expect(needsQuarantine(line('14049099'))).toBe(true);
    expect(needsQuarantine(line('15079000'))).toBe(false);
    expect(needsQuarantine(line('84713020'))).toBe(false);
  });
});
