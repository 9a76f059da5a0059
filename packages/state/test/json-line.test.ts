import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replacedJson, stateJsonLine } from '../src/dump/json-line.js';

// decoded state: JSON values, bigints, bytes, Java maps and sets, nested
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.uint8Array({ maxLength: 8 }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3, noNullPrototype: false }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((kv) => new Map(kv)),
    fc.array(tie('value'), { maxLength: 3 }).map((xs) => new Set(xs)),
    fc.date({ noInvalidDate: true }),
  ),
}));

describe('stateJsonLine', () => {
  it('writes exactly what JSON.stringify with the replacer writes, for any decoded value', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(stateJsonLine(v)).toBe(replacedJson(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes bigints as decimal strings and bytes as base64 inside an entry', () => {
    expect(stateJsonLine({ subtask: 0, key: 'k', value: 12345678901234567890n, list: [1n, -2n] })).toBe('{"subtask":0,"key":"k","value":"12345678901234567890","list":["1","-2"]}');
    const line = stateJsonLine({ subtask: 0, key: 'k', value: 12345678901234567890n, bytes: new Uint8Array([1, 2, 3]) });
    expect(line).toBe('{"subtask":0,"key":"k","value":"12345678901234567890","bytes":{"base64":"AQID"}}');
    expect(stateJsonLine({ key: 'k', value: '200058', skip: undefined, nan: NaN })).toBe('{"key":"k","value":"200058","nan":null}');
  });
});
