import { describe, expect, it } from 'vitest';
import { CkptError, findOperator, FormatError, operatorIdFromUid, requireOperator, UsageError, type OperatorState } from '../src/index.js';
import { SummaryBuilder } from '../src/summary.js';

const op = (operatorId: string, extra: Partial<OperatorState> = {}): OperatorState => ({
  operatorId,
  parallelism: 1,
  maxParallelism: 128,
  coordinatorState: null,
  subtasks: [],
  ...extra,
});

describe('findOperator: the one operator lookup', () => {
  const hashed = op(operatorIdFromUid('keyed')); // a V4 operator: no uid stored
  const named = op('0123456789abcdef0123456789abcdef', { name: 'keyed-state' });
  const withUid = op('fedcba9876543210fedcba9876543210', { uid: 'sink', name: 'sink: Writer' });
  const ops = [hashed, named, withUid];

  it('by uid, operator id (any case), the id a uid hashes to, and name', () => {
    expect(findOperator(ops, 'sink')).toBe(withUid);
    expect(findOperator(ops, 'FEDCBA9876543210FEDCBA9876543210')).toBe(withUid);
    expect(findOperator(ops, '0123456789abcdef0123456789abcdef')).toBe(named);
    expect(findOperator(ops, 'keyed')).toBe(hashed);
    expect(findOperator(ops, 'keyed-state')).toBe(named);
    expect(findOperator(ops, 'sink: Writer')).toBe(withUid);
    expect(findOperator(ops, 'nope')).toBeUndefined();
  });

  it('in that order: a stored uid before an id, an id before a hashed uid, a hashed uid before a name', () => {
    const a = op(operatorIdFromUid('x'), { name: 'y' });
    const b = op('11111111111111111111111111111111', { uid: 'y' });
    const c = op('22222222222222222222222222222222', { name: 'x' });
    expect(findOperator([a, b, c], 'y')).toBe(b); // uid of b beats name of a
    expect(findOperator([c, a], 'x')).toBe(a); // hashed uid of a beats name of c
    const d = op('33333333333333333333333333333333', { uid: '22222222222222222222222222222222' });
    expect(findOperator([c, d], '22222222222222222222222222222222')).toBe(d); // stored uid beats id
  });

  it('requireOperator: a UsageError UnknownOperator naming the source and the stored operators', () => {
    expect(requireOperator(ops, 'keyed')).toBe(hashed);
    const e = (() => {
      try {
        requireOperator(ops, 'nope', 'sp-1/_metadata');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect(e).toBeInstanceOf(CkptError);
    expect((e as UsageError).code).toBe('UnknownOperator');
    expect((e as UsageError).message).toBe(
      `UnknownOperator: no operator nope in sp-1/_metadata; stored operators: ${hashed.operatorId}, ${named.operatorId}, sink`,
    );
  });
});

describe('library errors are typed', () => {
  it('SummaryBuilder.addSubtask before addOperator is a FormatError (Internal)', () => {
    const b = new SummaryBuilder(6, 1n);
    const s = { index: 0, managedOperatorState: null, rawOperatorState: null, managedKeyedState: null, rawKeyedState: null, inputChannelState: [], resultSubpartitionState: [] };
    expect(() => b.addSubtask(s)).toThrow(FormatError);
    expect(() => b.addSubtask(s)).toThrow(expect.objectContaining({ code: 'Internal' }));
  });
});
