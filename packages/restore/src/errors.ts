import { CkptError, type ErrorContext } from '@ckpt/format';

/**
 * Codes of {@link RestoreError}. Codes named after a Flink refusal carry Flink's message text as
 * the error detail (see `findings.ts`); the rest are input problems of ckpt itself.
 */
export type RestoreErrorCode =
  /** A parallelism or max parallelism outside Flink's bounds (1..32768). */
  | 'ParallelismOutOfBounds'
  /** A key whose Java hashCode ckpt cannot reproduce, or a malformed key. */
  | 'UnsupportedKey'
  /** The job description is not valid (schema, unknown reference, duplicate ids). */
  | 'InvalidJobDescription'
  /** Flink would refuse the restore; `findings` holds what it would print. */
  | 'RestoreRejected'
  /** Channel state whose rescaling Flink cannot perform. */
  | 'UnsupportedRescale'
  /** A state handle shape ckpt does not know how to assign. */
  | 'UnsupportedHandle';

export class RestoreError extends CkptError {
  declare readonly code: RestoreErrorCode;
  constructor(code: RestoreErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(code, detail, ctx);
  }
}
