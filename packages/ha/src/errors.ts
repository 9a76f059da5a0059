import { CkptError, type ErrorContext } from '@ckpt/format';

/** What went wrong while reading an HA store. */
export type HaErrorCode =
  /** The payload ends before the Java serialization stream does. */
  | 'Truncated'
  /** The payload is not a well-formed Java serialization stream of the expected shape. */
  | 'BadPayload'
  /** The stream names a class that is not on the allow-list (nothing of it was read). */
  | 'ClassNotAllowed'
  /** A well-formed stream of another class than the one the store holds at that place. */
  | 'UnexpectedClass'
  /** The checkpoint ID counter's value is malformed. */
  | 'BadCounter'
  /** The ConfigMap document is not JSON/YAML of a ConfigMap (or a List of them). */
  | 'BadConfigMap'
  /** The job, its checkpoint store or the ConfigMap was not found. */
  | 'NotFound'
  /** Several jobs match and none was chosen. */
  | 'Ambiguous'
  /** ZooKeeper could not be reached or answered with an error. */
  | 'ZooKeeper'
  /** The store changed between reading and writing (nothing was written). */
  | 'Conflict'
  /** A JobManager is running the job (its leader lock or entry locks are held). */
  | 'JobRunning'
  /** A backup file is not one ckpt wrote, or does not belong to this store. */
  | 'BadBackup'
  /** A graph given to the Java serialization writer cannot be written as it is. */
  | 'InvalidModel'
  /** The checkpoint holds state ckpt cannot write a completedCheckpoint file for (restore it with `-s`). */
  | 'Unsupported';

/** Every error raised by `@ckpt/ha`. `file` names the znode, ConfigMap key or HA file. */
export class HaError extends CkptError {
  declare readonly code: HaErrorCode;
  constructor(code: HaErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(code, detail, ctx);
  }
}
