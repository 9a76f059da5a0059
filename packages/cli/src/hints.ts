import { CkptError, FormatError, UsageError } from '@ckpt/format';
import { RestoreError } from '@ckpt/restore';
import { RocksError } from '@ckpt/rocksdb';
import { StateError } from '@ckpt/state';
import { installCommand, NotACheckpointError, optionalPackageFor, parseUri, StorageError } from '@ckpt/storage';

const WHAT_IS_A_CHECKPOINT =
  'give a checkpoint/savepoint directory, its _metadata file, or a storage URI (s3://, hdfs://, gs://, abfs://, http://)';

/** Storage failures that are about reaching or reading the storage, not about what it holds. */
const IO_CODES = new Set(['Transient', 'PermissionDenied', 'MissingDependency', 'Internal', 'Aborted']);

/**
 * The exit code of an error: 2 for bad input (a file that is not what it should be, an invalid job),
 * 1 for usage and I/O errors (a user's mistake in the arguments, a missing local file, storage
 * that cannot be reached).
 */
export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return 1;
  if (e instanceof StorageError && IO_CODES.has(e.code)) return 1;
  if (e instanceof RocksError && e.code === 'Io') return 1;
  return e instanceof CkptError ? 2 : 1;
}

/** Names the SDK package of the error's URI scheme and how to add it. */
function missingSdkHint(e: StorageError): string {
  let pkg: string | undefined;
  try {
    pkg = e.uri === undefined ? undefined : optionalPackageFor(parseUri(e.uri).scheme);
  } catch {
    pkg = undefined;
  }
  if (pkg === undefined) return 'install the optional SDK package the message names where ckpt is installed, then retry';
  return `install ${pkg} where ckpt is installed: ${installCommand(pkg)}, then retry`;
}

/** One line that says what to do about an error, when there is something to say. */
export function hintFor(e: unknown): string | undefined {
  if (e instanceof NotACheckpointError) {
    return e.latest !== undefined
      ? `give one of its chk-<n> directories: \`ckpt latest ${e.uri}\` names the newest complete one, and --latest takes it`
      : `give a complete checkpoint: \`ckpt latest ${e.uri} --all\` lists what it holds`;
  }
  if (e instanceof StorageError) {
    switch (e.code) {
      case 'NotFound':
        return `check the path: ${WHAT_IS_A_CHECKPOINT}`;
      case 'InvalidPointer':
        return 'check the path: gc and latest take the directory Flink writes checkpoints to (state.checkpoints.dir or its job-id directory); other commands a checkpoint/savepoint directory or its _metadata';
      case 'Transient':
        return 'the storage could not be reached: check that its server is up and the endpoint is right (host:port in the URI, AWS_ENDPOINT_URL_S3 for S3), then retry';
      case 'PermissionDenied':
        return 'the storage refused access: check the credentials (AWS_ACCESS_KEY_ID / AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*, HADOOP_USER_NAME)';
      case 'MissingDependency':
        return missingSdkHint(e);
      case 'InvalidUri':
        return `fix the URI: ${WHAT_IS_A_CHECKPOINT}`;
      default:
        return undefined;
    }
  }
  if (e instanceof RestoreError && e.code === 'InvalidJobDescription') {
    return 'fix the --job file: ckpt job JSON (schemas/job-description.schema.json), Flink\'s REST job plan JSON (GET /jobs/<id>/plan), or lines of uid=parallelism';
  }
  if (e instanceof RocksError) {
    if (e.code === 'Unsupported') return 'the file uses a RocksDB feature ckpt does not read (the message names it)';
    if (e.code !== 'Io') return 'the RocksDB file is damaged or not a block-based SST/MANIFEST: `ckpt sst verify` checks every block';
    return undefined;
  }
  if (e instanceof StateError && (e.code === 'MissingFile' || e.code === 'SizeMismatch' || e.code === 'Truncated')) {
    return 'a state file is missing, short or not the one the checkpoint recorded: `ckpt verify --deep` lists every such file';
  }
  if (e instanceof FormatError) {
    if (e.code === 'InvalidModel') return 'give a binary _metadata file, or a .json/.msgpack/.pb file written by ckpt convert';
    return `this is not a readable Flink _metadata file: ${WHAT_IS_A_CHECKPOINT}`;
  }
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `no such file or directory: check the path; ${WHAT_IS_A_CHECKPOINT}`;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied: check the file permissions';
  if (code === 'EISDIR') return 'a directory was given where a file is expected';
  return undefined;
}
