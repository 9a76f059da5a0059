/**
 * @ckpt/storage — one storage interface over local disk, memory, S3, HDFS (WebHDFS), GCS, Azure
 * Blob / ADLS and HTTP, plus Flink checkpoint access (pointer resolution, listing, handle
 * streams, verification with digest manifests).
 *
 * Streams are `AsyncIterable<Uint8Array>` ({@link ByteStream}).
 */
export type * from './types.js';
export { StorageError, classifyError, toStorageError, codeForStatus, type StorageErrorCode, type StorageOperation } from './errors.js';
export { parseUri, formatUri, joinUri, parentUri, baseName, normalizePath, childPath, removeEntropyKey, canonicalScheme, localPathOf, fileUriOf, type StorageUri } from './uri.js';
export { Storage, collect } from './storage.js';
export { openStorage, Storages, optionalPackageFor, installCommand, missingDependencyError } from './open.js';
export { writeFileAtomically } from './drivers/fs.js';
export { withRetry, backoffDelay, Limiter, mapLimit, sleep } from './retry.js';
export { digesting, digestStream, type StreamDigest } from './digest.js';
export {
  resolveCheckpointPointer,
  loadCheckpoint,
  readMetadataFile,
  listCheckpoints,
  newestComplete,
  latestCheckpoint,
  NotACheckpointError,
  withStorages,
  METADATA_FILE_NAME,
  type CheckpointAccessOptions,
  type ResolvedCheckpoint,
  type CheckpointEntry,
} from './checkpoint.js';
export { StorageSource } from './source.js';
export {
  verifyCheckpoint,
  collectFileReferences,
  copyTree,
  MANIFEST_FILE_NAME,
  type FileReference,
  type FileCheck,
  type VerifyOptions,
  type VerifyReport,
  type CheckpointManifest,
  type ManifestEntry,
  type CopiedFile,
} from './verify.js';
export { summarizeCheckpoint, type CheckpointSummary } from './summary.js';
export { planGc, executeGc, type GcPlan, type GcOptions, type GcCandidate } from './gc.js';
