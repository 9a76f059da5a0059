import { ByteReader } from '@ckpt/format';

/**
 * A {@link ByteReader} whose reads are confined to a window `[start, end)` of its bytes that can
 * be moved without allocating: one reader serves every key and value of a key group, where a
 * reader per key and per value (each with its own view) would cost more than the decoding.
 * Reads past the window's end fail as they would at the end of a reader over just those bytes;
 * offsets in errors stay positions in the whole array (plus `base`).
 */
export class WindowReader extends ByteReader {
  private end: number;

  constructor(bytes: Uint8Array, base = 0) {
    super(bytes, 0, base);
    this.end = bytes.length;
  }

  override get remaining(): number {
    return this.end - this.offset;
  }

  /** Moves the window to `[start, end)` and the cursor to `start`. */
  window(start: number, end: number): this {
    this.offset = start;
    this.end = end;
    return this;
  }
}
