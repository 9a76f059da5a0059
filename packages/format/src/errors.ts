/**
 * One error hierarchy for all of ckpt. Every error carries a tagged `code`, and where known the
 * byte `offset`, the model `path` (e.g. `operators[3].subtasks[7].managedKeyedState`) and the
 * `file` (or URI) it was read from. Packages subclass {@link CkptError} with their own codes.
 */
export interface ErrorContext {
  /** Byte offset in the input where the problem was found. */
  offset?: number;
  /** Field path in the model, e.g. `operators[0].subtasks[1].managedKeyedState`. */
  path?: string;
  /** File name or URI of the input, when the caller knows it. */
  file?: string;
  /** Original error, if this one wraps another. */
  cause?: unknown;
}

export class CkptError extends Error {
  readonly code: string;
  offset: number | undefined;
  path: string | undefined;
  file: string | undefined;

  constructor(code: string, detail: string, ctx: ErrorContext = {}) {
    super(detail, ctx.cause === undefined ? undefined : { cause: ctx.cause });
    this.name = new.target.name;
    this.code = code;
    this.offset = ctx.offset;
    this.path = ctx.path;
    this.file = ctx.file;
    this.detail = detail;
    this.message = this.render();
  }

  /** The message without the location suffix. */
  readonly detail: string;

  /** Attaches the input's file name (keeps an existing one) and refreshes the message. */
  withFile(file: string): this {
    this.file ??= file;
    this.message = this.render();
    return this;
  }

  private render(): string {
    const where: string[] = [];
    if (this.file !== undefined) where.push(this.file);
    if (this.offset !== undefined) where.push(`offset ${this.offset}`);
    if (this.path !== undefined && this.path !== '') where.push(`at ${this.path}`);
    return `${this.code}: ${this.detail}${where.length ? ` (${where.join(', ')})` : ''}`;
  }
}

/** Codes of {@link FormatError}: what went wrong while decoding or encoding `_metadata`. */
export type FormatErrorCode =
  | 'Truncated'
  | 'BadMagic'
  | 'UnsupportedVersion'
  | 'UnknownTag'
  | 'BadLength'
  | 'BadValue'
  | 'TrailingBytes'
  | 'BadUtf'
  | 'BadTrailer'
  | 'ClassNotAllowed'
  | 'InvalidModel'
  | 'Internal';

export class FormatError extends CkptError {
  declare readonly code: FormatErrorCode;
  constructor(code: FormatErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(code, detail, ctx);
  }
}

/**
 * Codes of {@link UsageError}: a caller's mistake in what it asked for (an operator the checkpoint
 * does not hold, an option out of range, an output that already exists), not in the input's bytes.
 */
export type UsageErrorCode = 'UnknownOperator' | 'BadArgument' | 'Exists';

/** A caller's mistake in its arguments; the CLI exits with 1 (usage) for it, in every command. */
export class UsageError extends CkptError {
  declare readonly code: UsageErrorCode;
  constructor(code: UsageErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(code, detail, ctx);
  }
}
