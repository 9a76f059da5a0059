import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseKeyGroups } from '../src/views/state.js';

// The state view's key-group field: `a`, `a-b` (or `a–b`, spaces allowed), empty for all.
describe('key-group field', () => {
  it('reads a and a-b as inclusive bounds and refuses a range that ends before it starts', () => {
    fc.assert(
      fc.property(fc.nat(32767), fc.nat(32767), fc.constantFrom('-', '–', ' - '), (a, b, dash) => {
        if (a <= b) expect(parseKeyGroups(`${a}${dash}${b}`)).toEqual([a, b]);
        else expect(() => parseKeyGroups(`${a}${dash}${b}`)).toThrow(/ends before it starts/);
        expect(parseKeyGroups(` ${a} `)).toEqual([a, a]);
      }),
    );
    expect(parseKeyGroups('  ')).toBeUndefined();
    for (const bad of ['x', '1-', '-1', '1-2-3', '1.5']) expect(() => parseKeyGroups(bad)).toThrow(/expected a number or a range/);
  });
});
