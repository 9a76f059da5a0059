export { RestoreError, type RestoreErrorCode } from './errors.js';
export {
  javaHashCode,
  toJavaKey,
  stringHashCode,
  longHashCode,
  doubleHashCode,
  floatHashCode,
  type JavaKey,
  type KeyLike,
  type RowKind,
} from './java-hash.js';
export {
  UPPER_BOUND_MAX_PARALLELISM,
  DEFAULT_LOWER_BOUND_MAX_PARALLELISM,
  murmurHash,
  roundUpToPowerOfTwo,
  checkParallelismPreconditions,
  computeDefaultMaxParallelism,
  keyGroupForKeyHash,
  keyGroupForKey,
  operatorIndexForKeyGroup,
  keyGroupRange,
  keyGroupPartitions,
  keyGroupRangeOf,
  keyGroupRangeEnd,
  intersectKeyGroupRanges,
} from './key-groups.js';
export { javaHashMapOrder, javaHashMapOrderBy, abstractIdHashCode, expectedSizeCapacity } from './java-hashmap.js';
export {
  normalizeJob,
  type JobDescription,
  type VertexDescription,
  type OperatorDescription,
  type InputDescription,
  type SubtaskStateMapperName,
  type RestoreMode,
  type JobGraph,
  type JobVertex,
  type JobEdge,
  type OperatorIDPair,
} from './job.js';
export { parseJobInput, jobFromRestPlan, jobFromUidList, jobFromCheckpoint, type RestPlan, type JobInputOptions } from './job-formats.js';
export { messages, FINDING_SEVERITY, type Finding, type FindingCode, type Severity } from './findings.js';
export { validateGraph, validateSavepointLoad, validateMappingCompleteness, canRescaleMaxParallelism } from './validate.js';
export { intersectKeyedHandle, keyedHandlesForRange, keyedHandlesForRanges } from './keyed-state.js';
export { repartitionOperatorState } from './operator-state.js';
export {
  oldSubtasksFor,
  rescaleMappings,
  ambiguousOldSubtasks,
  unmergeInputChannels,
  unmergeResultSubpartitions,
} from './channel-state.js';
export {
  assignChannelState,
  type ChannelVertexInput,
  type ChannelVertexRestore,
  type GateRescaling,
  type RescalingDescriptor,
} from './channel-assignment.js';
export {
  rescaleMappingsOf,
  newToOldMapping,
  mappedIndexes,
  ambiguousTargets,
  SYMMETRIC_IDENTITY,
  type RescaleMappings,
} from './rescale-mappings.js';
export { validateFinishedState, vertexFinishedState, type VertexFinishedState } from './finished-state.js';
export { restoreMasterHooks, type MasterHookRestore } from './master-hooks.js';
export { streamIdentity, streamLabel } from './stream-identity.js';
export {
  assignStates,
  type Assignment,
  type VertexRestore,
  type SubtaskRestore,
  type TaskRestore,
  type OperatorSubtaskRestore,
  type OperatorMatch,
  type CoordinatorRestore,
} from './assign.js';
export { assignmentToJson, normalizeAssignmentJson, encodeJson } from './assignment-json.js';
export { restorePlan, type RestorePlan, type SubtaskPlan, type OperatorPlan, type FileRead, type Advice } from './plan.js';
