import { describe, expect, it } from 'vitest';
import { axisFontPx } from './chartCanvas';

describe('axis text size', () => {
  it('is 11 px at the normal 16 px root font and grows with large-text mode (19 px root)', () => {
    expect(axisFontPx(16)).toBe(11);
    expect(axisFontPx(19)).toBe(13);
    expect(axisFontPx(24)).toBe(17);
    expect(axisFontPx(NaN)).toBe(11);
  });
});
