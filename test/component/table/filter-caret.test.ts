// Filter error caret: the text split around the 1-based column, clamped to the text, by code points.
import { describe, expect, it } from 'vitest';
import { caretParts } from '../../../renderer/table/filter-caret.ts';

describe('caretParts', () => {
  it('splits around the named column', () => {
    expect(caretParts('dest:DC01 OR (', 14)).toEqual({ before: 'dest:DC01 OR ', at: '(', after: '' });
    expect(caretParts('abc', 1)).toEqual({ before: '', at: 'a', after: 'bc' });
  });

  it('points just past the end for a column beyond the text, and at the start for column 0', () => {
    expect(caretParts('a AND', 9)).toEqual({ before: 'a AND', at: ' ', after: '' });
    expect(caretParts('abc', 0)).toEqual({ before: '', at: 'a', after: 'bc' });
  });

  it('counts code points, and gives nothing without a column', () => {
    expect(caretParts('😀x(', 3)).toEqual({ before: '😀x', at: '(', after: '' });
    expect(caretParts('abc', undefined)).toBeNull();
  });
});
