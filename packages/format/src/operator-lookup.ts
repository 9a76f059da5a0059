import { UsageError } from './errors.js';
import type { OperatorState } from './model.js';
import { operatorIdFromUid } from './uid.js';

/**
 * The one operator lookup of ckpt: the stored operator a user means by `ref`, tried as its uid,
 * its operator id (32 hex digits, any case), the id the uid `ref` hashes to (how Flink derives
 * ids from `.uid(…)`; V4 and older files store no uid), then its name. First match wins.
 */
export function findOperator<O extends Pick<OperatorState, 'operatorId' | 'uid' | 'name'>>(ops: readonly O[], ref: string): O | undefined {
  const id = ref.toLowerCase();
  const hashed = operatorIdFromUid(ref);
  return (
    ops.find((o) => o.uid === ref) ??
    ops.find((o) => o.operatorId === id) ??
    ops.find((o) => o.operatorId === hashed) ??
    ops.find((o) => o.name === ref)
  );
}

/**
 * {@link findOperator}, or a {@link UsageError} `UnknownOperator` that lists the stored operators.
 * `source` names the checkpoint in the message.
 */
export function requireOperator<O extends Pick<OperatorState, 'operatorId' | 'uid' | 'name'>>(ops: readonly O[], ref: string, source = 'the checkpoint'): O {
  const op = findOperator(ops, ref);
  if (op === undefined) {
    const known = ops.map((o) => o.uid ?? o.operatorId).join(', ');
    throw new UsageError('UnknownOperator', `no operator ${ref} in ${source}; stored operators: ${known}`);
  }
  return op;
}
