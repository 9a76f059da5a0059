import type { FormatError } from '../errors.js';

/** A path segment: a field name, or a list index (rendered `[i]`). */
export type PathSegment = string | number;

/**
 * The part the reader and the writer share: the model path of the field being processed (for
 * error messages) and a bound on handle nesting (hostile input or cyclic models must not exhaust
 * the stack).
 *
 * The path is kept as a stack of segments and only rendered to a string when something asks for
 * it (an error): the hot paths push and pop without allocating strings or closures.
 */
export abstract class PathTracker {
  private prefix = '';
  private readonly segments: PathSegment[] = [];
  private depth = 0;
  static readonly MAX_DEPTH = 64;

  /** The error to throw when nesting exceeds {@link PathTracker.MAX_DEPTH}. */
  protected abstract tooDeep(detail: string): FormatError;

  /** Current field path, e.g. `operators[0].subtasks[1].managedKeyedState`. */
  get path(): string {
    let p = this.prefix;
    for (const s of this.segments) {
      if (typeof s === 'number') p += `[${s}]`;
      else p = s.startsWith('[') || p === '' ? p + s : `${p}.${s}`;
    }
    return p;
  }

  /** Replaces the whole path (e.g. for a reader over a slice that belongs at a known path). */
  set path(p: string) {
    this.prefix = p;
    this.segments.length = 0;
  }

  /**
   * Appends a segment; pair with {@link leave}. No `finally` is needed on the decode/encode paths:
   * an error records the path when it is made, and a failed reader or writer is not reused.
   */
  enter(segment: PathSegment): void {
    this.segments.push(segment);
  }

  /** Appends a list field and an index (`name[i]`); pair with {@link leave2}. */
  enter2(name: string, index: number): void {
    this.segments.push(name, index);
  }

  leave(): void {
    this.segments.pop();
  }

  leave2(): void {
    this.segments.length -= 2;
  }

  /** One handle nesting level deeper; pair with {@link ascend}. */
  descend(): void {
    if (this.depth >= PathTracker.MAX_DEPTH) {
      throw this.tooDeep(`handles nested deeper than ${PathTracker.MAX_DEPTH} levels`);
    }
    this.depth++;
  }

  ascend(): void {
    this.depth--;
  }

  /** Runs `fn` with `segment` appended to the field path; restores the path afterwards. */
  at<T>(segment: PathSegment, fn: () => T): T {
    const n = this.segments.length;
    this.segments.push(segment);
    try {
      return fn();
    } finally {
      this.segments.length = n;
    }
  }

  /** Runs `fn` one nesting level deeper. */
  nested<T>(fn: () => T): T {
    const d = this.depth;
    this.descend();
    try {
      return fn();
    } finally {
      this.depth = d;
    }
  }
}
