/**
 * `@ckpt/ha`: Flink's HA completed-checkpoint store (ZooKeeper, Kubernetes ConfigMaps) without a
 * JVM — which checkpoints it holds, which one a failover restores, whether the files behind
 * them exist, and what the checkpoint ID counter says.
 * @module
 */
export { HaError, type HaErrorCode } from './errors.js';
export { HA_CLASSES, HA_MAX_DEPTH, readHaPayload } from './java.js';
export {
  readZooKeeperHandle,
  readKubernetesHandle,
  writeZooKeeperHandle,
  writeKubernetesHandle,
  type StoredHandle,
  type MarkedHandle,
} from './handle.js';
export { readCompletedCheckpoint, type StoredCompletedCheckpoint } from './completed-checkpoint.js';
export { readZooKeeperCounter, readKubernetesCounter, writeZooKeeperCounter, writeKubernetesCounter } from './counter.js';
export {
  INITIAL_CHECKPOINT_ID,
  latestEntry,
  recoverableEntries,
  sortEntries,
  parseCheckpointName,
  type HaEntry,
  type HaStore,
} from './store.js';
export {
  ZooKeeperSession,
  listZooKeeperJobs,
  readZooKeeperStore,
  readZooKeeperStoreFrom,
  type ZNode,
  type ZOp,
  zooKeeperLayouts,
  zooKeeperNamespace,
  type ZooKeeperStoreOptions,
} from './zookeeper.js';
export {
  readConfigMapStore,
  editConfigMap,
  configMapActivity,
  LEADER_ANNOTATION,
  CHECKPOINT_COUNTER_KEY,
  CHECKPOINT_ID_KEY_PREFIX,
  type ConfigMapOptions,
  type ConfigMapEdit,
} from './configmap.js';
export { followStore, verifyStore, type FollowOptions, type FollowedEntry, type FollowedStore, type EntryProblem } from './follow.js';
export { planSetLatest, planRepair, describePlan, isEmptyPlan, entryName, type HaPlan, type PlannedRemoval } from './plan.js';
export { resolveTarget, flinkUri, type ResolvedTarget, type ResolveOptions } from './target.js';
export { BACKUP_FORMAT, readBackup, writeBackup, writeFileAtomic, type HaBackup, type BackupNode, type CreatedFile } from './backup.js';
export { writeJavaObjectStream, type WContent, type WObject, type WEnum, type WArray, type WValue, type JavaStringObject } from './java-writer.js';
export { FLINK_LINES, flinkLine, FlinkClasses, type FlinkLine } from './flink-classes.js';
export { buildCompletedCheckpoint, UNCLAIMED_SNAPSHOT, type CompletedCheckpointSource } from './checkpoint-builder.js';
export {
  newCompletedCheckpointFile,
  writeNewHaFile,
  removeCreatedFiles,
  createdFile,
  type NewHaFile,
  type NewHaFileOptions,
} from './completed-checkpoint-file.js';
export {
  applyZooKeeperPlan,
  planZooKeeperRestore,
  zooKeeperActivity,
  type ApplyResult,
  type RestorePlan,
  type ZooKeeperApplyOptions,
} from './zookeeper-write.js';
