/**
 * What Flink would report while restoring: one finding per problem, with Flink's message text.
 * `severity: 'error'` findings make Flink refuse the restore; the first one in Flink's evaluation
 * order is what Flink prints (see `AssignmentResult.error`).
 */
export type FindingCode =
  /** Graph build: a vertex's parallelism exceeds its own max parallelism (JobException). */
  | 'ParallelismAboveMaxParallelism'
  /** Savepoint load: a matched operator's max parallelism differs and cannot be adopted. */
  | 'MaxParallelismMismatch'
  /** Savepoint load: stored state (or coordinator state) without an operator in the new job. */
  | 'NonRestoredState'
  /** Stored state without operator, skipped because allowNonRestoredState is set. */
  | 'SkippedNonRestoredState'
  /** Savepoint load: operator without state in the new job and without stored state: skipped. */
  | 'SkippedEmptyState'
  /** Assignment: state for an operator id the new job does not have (HA-store restore). */
  | 'NoOperatorForState'
  /** Assignment: the stored max parallelism is lower than the new parallelism. */
  | 'RestoredMaxParallelismBelowParallelism'
  /** Assignment: the stored max parallelism differs from an explicitly configured one. */
  | 'MaxParallelismChanged'
  /** Assignment: an auto-configured max parallelism is replaced by the stored one. */
  | 'MaxParallelismAdopted'
  /** A vertex mixes fully finished and unfinished operators. */
  | 'MixedFinishedOperators'
  /** Operators of one chain recorded different max parallelism; the last adopted one wins. */
  | 'ChainedMaxParallelismConflict'
  /** A non-head operator sets a max parallelism that Flink ignores for the vertex. */
  | 'ChainedMaxParallelismIgnored'
  /** State stored under both a uidHash and the generated id: the generated one is ignored. */
  | 'ShadowedState'
  /** Finished-state check: a vertex's operators are in different finished states. */
  | 'MixedOperatorFinishedState'
  /** Finished-state check: a (fully / partially) finished vertex has a predecessor that is not finished enough. */
  | 'IllegalFinishedTopology'
  /** A stored master state whose hook the new job does not register. */
  | 'UnmatchedMasterState'
  /** Master state without hook, dropped because allowNonRestoredState is set. */
  | 'SkippedMasterState'
  /** Master states ignored because the new job registers no master hook. */
  | 'IgnoredMasterStates'
  /** In-flight data (and coordinator state) dropped: the checkpoint id is the configured one. */
  | 'IgnoredInFlightData'
  /** Channel state cannot be redistributed (UNSUPPORTED mapper, incompatible subtask mappings). */
  | 'UnsupportedChannelRescale'
  /** Channel state on an operator that is no longer the head (input) / tail (output) of its chain. */
  | 'ChainedChannelState';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  code: FindingCode;
  severity: Severity;
  /** Operator id (32 hex) the finding is about, if any. */
  operatorId?: string;
  /** Name of the new job's vertex, if any. */
  vertex?: string;
  /** Java exception class Flink throws (errors only). */
  exceptionClass?: string;
  /** Flink's message text (for errors: the exception message). */
  message: string;
}

export const FINDING_SEVERITY: Record<FindingCode, Severity> = {
  ParallelismAboveMaxParallelism: 'error',
  MaxParallelismMismatch: 'error',
  NonRestoredState: 'error',
  SkippedNonRestoredState: 'info',
  SkippedEmptyState: 'info',
  NoOperatorForState: 'error',
  RestoredMaxParallelismBelowParallelism: 'error',
  MaxParallelismChanged: 'error',
  MaxParallelismAdopted: 'info',
  MixedFinishedOperators: 'error',
  ChainedMaxParallelismConflict: 'warning',
  ChainedMaxParallelismIgnored: 'warning',
  ShadowedState: 'warning',
  MixedOperatorFinishedState: 'error',
  IllegalFinishedTopology: 'error',
  UnmatchedMasterState: 'error',
  SkippedMasterState: 'info',
  IgnoredMasterStates: 'warning',
  IgnoredInFlightData: 'info',
  UnsupportedChannelRescale: 'error',
  ChainedChannelState: 'error',
};

const ISE = 'java.lang.IllegalStateException';
const FRE = 'org.apache.flink.util.FlinkRuntimeException';
const ILLEGAL = 'Illegal JobGraph modification. Cannot run a program with';

type F = Omit<Finding, 'severity' | 'code' | 'message' | 'exceptionClass'>;

function finding(code: FindingCode, message: string, extra: F, exceptionClass?: string): Finding {
  const f: Finding = { code, severity: FINDING_SEVERITY[code], message, ...extra };
  if (exceptionClass !== undefined) f.exceptionClass = exceptionClass;
  return f;
}

export const messages = {
  parallelismAboveMax: (vertex: string, p: number, m: number): Finding =>
    finding(
      'ParallelismAboveMaxParallelism',
      `Vertex ${vertex}'s parallelism (${p}) is higher than the max parallelism (${m}). Please lower the parallelism or increase the max parallelism.`,
      { vertex },
      'org.apache.flink.runtime.JobException',
    ),
  maxParallelismMismatch: (operatorId: string, mCkpt: number, mJob: number, vertex: string): Finding =>
    finding(
      'MaxParallelismMismatch',
      `Failed to rollback to checkpoint/savepoint Checkpoint Metadata. Max parallelism mismatch between checkpoint/savepoint state and new program. Cannot map operator ${operatorId} with max parallelism ${mCkpt} to new program with max parallelism ${mJob}. This indicates that the program has been changed in a non-compatible way after the checkpoint/savepoint.`,
      { operatorId, vertex },
      ISE,
    ),
  nonRestored: (pointer: string, operatorId: string): Finding =>
    finding(
      'NonRestoredState',
      `Failed to rollback to checkpoint/savepoint ${pointer}. Cannot map checkpoint/savepoint state for operator ${operatorId} to the new program, because the operator is not available in the new program. If you want to allow to skip this, you can set the --allowNonRestoredState option on the CLI.`,
      { operatorId },
      ISE,
    ),
  skipped: (operatorId: string): Finding =>
    finding('SkippedNonRestoredState', `Skipping savepoint state for operator ${operatorId}.`, { operatorId }),
  skippedEmpty: (operatorId: string): Finding =>
    finding('SkippedEmptyState', `Skipping empty savepoint state for operator ${operatorId}.`, { operatorId }),
  noOperator: (operatorId: string): Finding =>
    finding('NoOperatorForState', `There is no operator for the state ${operatorId}`, { operatorId }, ISE),
  skippedCheckpointState: (operatorId: string): Finding =>
    finding('SkippedNonRestoredState', `Skipped checkpoint state for operator ${operatorId}.`, { operatorId }),
  restoredMaxBelowParallelism: (vertexId: string, vertex: string, operatorId: string, mCkpt: number, p: number): Finding =>
    finding(
      'RestoredMaxParallelismBelowParallelism',
      `The state for task ${vertexId} can not be restored. The maximum parallelism (${mCkpt}) of the restored state is lower than the configured parallelism (${p}). Please reduce the parallelism of the task to be lower or equal to the maximum parallelism.`,
      { operatorId, vertex },
      ISE,
    ),
  maxParallelismChanged: (vertex: string, operatorId: string, mCkpt: number, mJob: number): Finding =>
    finding(
      'MaxParallelismChanged',
      // Flink prints the ExecutionJobVertex object here (Object.toString: class name @ identity hash).
      `The maximum parallelism (${mCkpt}) with which the latest checkpoint of the execution job vertex org.apache.flink.runtime.executiongraph.ExecutionJobVertex@<identity> has been taken and the current maximum parallelism (${mJob}) changed. This is currently not supported.`,
      { operatorId, vertex },
      ISE,
    ),
  adopted: (vertexId: string, vertex: string, operatorId: string, from: number, to: number): Finding =>
    finding('MaxParallelismAdopted', `Rescaling maximum parallelism for JobVertex ${vertexId} from ${from} to ${to}`, { operatorId, vertex }),
  mixedFinished: (vertex: string): Finding =>
    finding('MixedFinishedOperators', 'JobVertex could not have mixed finished and unfinished operators', { vertex }, ISE),
  chainConflict: (vertex: string, values: number[]): Finding =>
    finding(
      'ChainedMaxParallelismConflict',
      `Operators of vertex ${vertex} recorded different max parallelism (${values.join(', ')}); Flink adopts them one after another in hash-map order, the last one wins.`,
      { vertex },
    ),
  chainIgnored: (vertex: string, operatorId: string, m: number, vm: number): Finding =>
    finding(
      'ChainedMaxParallelismIgnored',
      `Operator ${operatorId} sets max parallelism ${m}, but the vertex ${vertex} uses its head's (${vm}).`,
      { vertex, operatorId },
    ),
  shadowed: (vertex: string, generated: string, userDefined: string): Finding =>
    finding(
      'ShadowedState',
      `State stored under uidHash ${userDefined} is used for operator ${generated}; the state stored under ${generated} itself is not restored.`,
      { vertex, operatorId: generated },
    ),
  mixedFinishedState: (vertex: string, vertexId: string, states: string[]): Finding =>
    finding(
      'MixedOperatorFinishedState',
      `Can not restore vertex ${vertex}(${vertexId}) which contain mixed operator finished state: [${states.join(', ')}]`,
      { vertex },
      FRE,
    ),
  fullyFinishedPredecessor: (vertex: string, vertexId: string): Finding =>
    finding(
      'IllegalFinishedTopology',
      `${ILLEGAL} fully finished vertices predeceased with the ones not fully finished. Task vertex ${vertex}(${vertexId}) has a predecessor not fully finished`,
      { vertex },
      FRE,
    ),
  partiallyFinishedAllToAll: (vertex: string, vertexId: string, predecessorRunning: boolean): Finding =>
    finding(
      'IllegalFinishedTopology',
      `${ILLEGAL} partially finished vertices predeceased with running or partially finished ones and connected via the ALL_TO_ALL edges. Task vertex ${vertex}(${vertexId}) has a ${predecessorRunning ? 'all running' : 'partially finished'} predecessor`,
      { vertex },
      FRE,
    ),
  partiallyFinishedPointwise: (vertex: string, vertexId: string): Finding =>
    finding(
      'IllegalFinishedTopology',
      `${ILLEGAL} partially finished vertices predeceased with all running ones. Task vertex ${vertex}(${vertexId}) has a all running predecessor`,
      { vertex },
      FRE,
    ),
  unmatchedMasterState: (name: string): Finding =>
    finding('UnmatchedMasterState', `Found state '${name}' which is not resumed by any hook.`, {}, ISE),
  skippedMasterState: (name: string): Finding =>
    finding('SkippedMasterState', `Dropping unmatched state from '${name}'`, {}),
  ignoredMasterStates: (names: string[]): Finding =>
    finding('IgnoredMasterStates', `No master hook registered: master states ${names.map((n) => `'${n}'`).join(', ')} are not restored.`, {}),
  ignoredInFlightData: (checkpointId: bigint): Finding =>
    finding('IgnoredInFlightData', `In-flight data of checkpoint ${checkpointId} is ignored (execution.checkpointing.recover-without-channel-state.checkpoint-id); coordinator state is dropped with it.`, {}),
  unsupportedChannelRescale: (vertex: string, message: string, exceptionClass: string): Finding =>
    finding('UnsupportedChannelRescale', message, { vertex }, exceptionClass),
  chainedChannelState: (vertex: string, operatorIds: string[]): Finding =>
    finding(
      'ChainedChannelState',
      `Cannot recover from unaligned checkpoint when topology changes, such that data exchanges with persisted data are now chained.\nThe following operators contain channel state: [${operatorIds.join(', ')}]`,
      { vertex },
      ISE,
    ),
};
