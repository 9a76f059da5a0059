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
  zooKeeperLayouts,
  zooKeeperNamespace,
  type ZooKeeperStoreOptions,
} from './zookeeper.js';
export { readConfigMapStore, CHECKPOINT_COUNTER_KEY, CHECKPOINT_ID_KEY_PREFIX, type ConfigMapOptions } from './configmap.js';
export { followStore, verifyStore, type FollowOptions, type FollowedEntry, type FollowedStore, type EntryProblem } from './follow.js';
