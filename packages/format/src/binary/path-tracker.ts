import type { FormatError } from '../errors.js';

/**
 * The part the reader and the writer share: the model path of the field being processed (for
 * error messages) and a bound on handle nesting (hostile input or cyclic models must not exhaust
 * the stack).
 */
export abstract class PathTracker {
  /** Current field path, e.g. `operators[0].subtasks[1].managedKeyedState`. */
  path = '';
  private depth = 0;
  static readonly MAX_DEPTH = 64;

  /** The error to throw when nesting exceeds {@link PathTracker.MAX_DEPTH}. */
  protected abstract tooDeep(detail: string): FormatError;

  /** Runs `fn` with `segment` appended to the field path; restores the path afterwards. */
  at<T>(segment: string, fn: () => T): T {
    const saved = this.path;
    this.path = segment.startsWith('[') || saved === '' ? saved + segment : `${saved}.${segment}`;
    try {
      return fn();
    } finally {
      this.path = saved;
    }
  }

  /** Runs `fn` one nesting level deeper. */
  nested<T>(fn: () => T): T {
    if (this.depth >= PathTracker.MAX_DEPTH) {
      throw this.tooDeep(`handles nested deeper than ${PathTracker.MAX_DEPTH} levels`);
    }
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
}
