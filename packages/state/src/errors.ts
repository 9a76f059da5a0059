import { CkptError, FormatError, type ErrorContext } from '@ckpt/format';

/** Codes of {@link StateError}: what went wrong while reading or writing a state file. */
export type StateErrorCode =
  | 'Truncated'
  | 'BadValue'
  | 'BadLength'
  | 'BadUtf'
  | 'UnsupportedVersion'
  | 'UnknownSerializer'
  | 'BadSnappy'
  | 'BadChecksum'
  | 'BadKeyGroup'
  | 'MissingState'
  | 'UnsupportedHandle'
  | 'UnsupportedKey'
  /** A file a handle (or a RocksDB MANIFEST / CURRENT) names does not exist or is not in the handle. */
  | 'MissingFile'
  /** A file's size differs from the size its handle or the MANIFEST records. */
  | 'SizeMismatch'
  /** A shard of a split conversion is absent, or a directory holds no shard manifest. */
  | 'MissingShard'
  /** Two shard directories hold the same shard. */
  | 'DuplicateShard'
  /** A shard was made from another input, with other options, or holds other parts than its slice. */
  | 'ShardMismatch'
  | 'Io';

/** An error found in a state file (operator, keyed, Snappy framing, serializer snapshot). */
export class StateError extends CkptError {
  declare readonly code: StateErrorCode;
  constructor(code: StateErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(code, detail, ctx);
  }
}

const FORMAT_TO_STATE: Record<string, StateErrorCode> = {
  Truncated: 'Truncated',
  BadLength: 'BadLength',
  BadUtf: 'BadUtf',
  BadValue: 'BadValue',
};

/**
 * Runs `fn` and turns low-level errors (the format package's `ByteReader` errors, thrown
 * `RangeError`s) into {@link StateError}s that name `file`. StateErrors get the file attached.
 */
export function asStateError(e: unknown, file: string | undefined): StateError {
  if (e instanceof StateError) return file === undefined ? e : e.withFile(file);
  if (e instanceof FormatError) {
    const err = new StateError(FORMAT_TO_STATE[e.code] ?? 'BadValue', e.detail, {
      offset: e.offset,
      path: e.path,
      file: e.file ?? file,
      cause: e,
    });
    return err;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new StateError('BadValue', msg, { file, cause: e });
}

/** Synchronous wrapper: rethrows anything from `fn` as a {@link StateError} naming `file`. */
export function guard<T>(file: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asStateError(e, file);
  }
}
