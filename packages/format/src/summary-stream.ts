import { ByteReader } from './binary/reader.js';
import { FormatError } from './errors.js';
import { DEFAULT_DIALECT, type DecodeContext, type Dialect } from './handles/tags.js';
import { internal, readHeader, readMasterState } from './metadata.js';
import { readOperatorHeader, readSubtask } from './operator-state.js';
import { SummaryBuilder, type MetadataSummary } from './summary.js';
import { readCheckpointProperties } from './trailer/properties.js';

/** Bytes buffered ahead of the parser before it tries the next record. */
const READ_AHEAD = 64 << 10;
/** Largest properties trailer accepted (real ones are under a few KiB). */
const MAX_TRAILER = 16 << 20;

export interface SummaryStreamOptions {
  /**
   * Layout of changelog / V1 channel handles. The stream cannot be re-read, so there is no layout
   * detection: default is the released layout (what every Flink release wrote); files of Flink
   * 1.14 / 1.15 development builds or 1.11 need their dialect (or `decodeMetadata`).
   */
  dialect?: Dialect;
  /** File name or URI of the input, recorded in errors. */
  file?: string;
  /**
   * Bytes buffered ahead of the parser (default 64 KiB, at least 1). Memory is about this plus the
   * largest subtask record.
   */
  readAhead?: number;
}

/**
 * Summarizes a `_metadata` file read as a stream of chunks (per-operator subtask counts, state
 * sizes and handle counts) without building its model: one subtask record at a time is decoded,
 * counted and dropped. Memory stays bounded by the read-ahead (64 KiB) plus the largest single
 * subtask record, whatever the file size. Equals `summarizeMetadata(decodeMetadata(bytes))` for
 * every file the released layout reads; throws the same typed {@link FormatError}s (offsets are
 * absolute in the file).
 */
export async function summarizeMetadataStream(
  source: AsyncIterable<Uint8Array>,
  options: SummaryStreamOptions = {},
): Promise<MetadataSummary> {
  const readAhead = options.readAhead ?? READ_AHEAD;
  if (!Number.isSafeInteger(readAhead) || readAhead < 1) {
    throw new FormatError('BadValue', `readAhead must be a positive integer, got ${String(readAhead)}`);
  }
  const cursor = new RecordCursor(source, readAhead);
  const ctx: DecodeContext = { version: 0, dialect: options.dialect ?? DEFAULT_DIALECT, touched: {} };
  try {
    return await summarize(cursor, ctx);
  } catch (e) {
    const err = e instanceof FormatError ? e : internal(e);
    throw options.file === undefined ? err : err.withFile(options.file);
  } finally {
    await cursor.close();
  }
}

async function summarize(cursor: RecordCursor, ctx: DecodeContext): Promise<MetadataSummary> {
  const { version, checkpointId } = await cursor.parse((r) => readHeader(r, ctx));
  const b = new SummaryBuilder(version, checkpointId);
  if (version >= 2) {
    const n = await cursor.parse((r) => nonNegative(r, 'number of master states'));
    for (let i = 0; i < n; i++) {
      b.addMasterState(
        await cursor.parse((r) => {
          r.enter2('masterStates', i);
          return readMasterState(r);
        }),
      );
    }
  }
  const operators = await cursor.parse((r) => nonNegative(r, 'number of operators'));
  for (let i = 0; i < operators; i++) {
    const { op, subtasks } = await cursor.parse((r) => {
      r.enter2('operators', i);
      return readOperatorHeader(r, ctx);
    });
    b.addOperator(op);
    for (let j = 0; j < subtasks; j++) {
      b.addSubtask(
        await cursor.parse((r) => {
          r.enter2('operators', i);
          r.enter2('subtasks', j);
          // a subtask's strings (paths, names) are not part of the summary: checked, not made
          r.skimStrings = true;
          return readSubtask(r, ctx);
        }),
      );
    }
  }
  const at = cursor.position;
  const rest = await cursor.rest(MAX_TRAILER);
  if (version >= 4) {
    b.setProperties(readCheckpointProperties(rest, at));
  } else if (rest.length > 0) {
    throw new FormatError('TrailingBytes', `${rest.length} bytes follow the last operator`, { offset: at });
  }
  return b.finish();
}

/** A list length; unlike `ByteReader.count` it does not ask for the whole list to be buffered. */
function nonNegative(r: ByteReader, what: string): number {
  const at = r.offset;
  const n = r.i32(what);
  if (n < 0) throw r.error('BadLength', `${what} ${n} is negative`, at);
  return n;
}

/**
 * Buffers a chunk stream and runs synchronous record parsers over it. A parser that runs out of
 * bytes (`Truncated`) before the stream ends is re-run with twice as much buffered.
 */
class RecordCursor {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf = new Uint8Array(0);
  /** Start of the unparsed bytes in {@link buf}. */
  private start = 0;
  /** End of the buffered bytes in {@link buf} (the rest of it is spare room). */
  private end = 0;
  /** File offset of `buf[0]`. */
  private base = 0;
  private eof = false;

  constructor(
    source: AsyncIterable<Uint8Array>,
    private readonly readAhead: number,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  get position(): number {
    return this.base + this.start;
  }

  private get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Runs `fn` over what is buffered; when it runs out of bytes before the stream ends, another
   * read-ahead's worth is buffered (then twice what is buffered, for records larger than that) and
   * `fn` runs again from the record's start. A record is re-parsed at most once per refill.
   */
  async parse<T>(fn: (r: ByteReader) => T): Promise<T> {
    let want = 1;
    for (;;) {
      if (!this.eof && this.buffered < want) await this.fill(want);
      const r = new ByteReader(this.buf.subarray(0, this.end), this.start, this.base);
      try {
        const v = fn(r);
        this.start = r.offset;
        return v;
      } catch (e) {
        if (e instanceof FormatError && e.code === 'Truncated' && !this.eof) {
          want = Math.max(this.buffered + this.readAhead, 2 * this.buffered);
          continue;
        }
        throw e;
      }
    }
  }

  /** Everything left, up to `max` bytes. */
  async rest(max: number): Promise<Uint8Array> {
    while (!this.eof) {
      await this.fill(this.buffered + this.readAhead);
      if (this.buffered > max) {
        throw new FormatError('BadTrailer', `more than ${max} bytes follow the last operator`, {
          offset: this.position,
        });
      }
    }
    return this.buf.slice(this.start, this.end);
  }

  /**
   * Reads until `want` bytes are buffered or the stream ends. Each chunk is copied into one buffer
   * as it arrives, so a source may reuse a chunk's memory once the next one is asked for. The
   * unparsed bytes move to the buffer's front only when the room behind them runs out, and it only
   * grows (doubling) when a record needs more. What a parsed record referred to has been counted
   * and dropped by then.
   */
  private async fill(want: number): Promise<void> {
    while (this.buffered < want) {
      const next = await this.it.next();
      if (next.done) {
        this.eof = true;
        return;
      }
      const chunk = next.value;
      if (!(chunk instanceof Uint8Array)) throw new FormatError('BadValue', 'stream chunks must be Uint8Array');
      if (this.end + chunk.length > this.buf.length) this.makeRoom(chunk.length);
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
    }
  }

  /** Room for `n` more bytes behind the unparsed ones: moves them to the front or grows. */
  private makeRoom(n: number): void {
    const have = this.buffered;
    const target =
      have + n <= this.buf.length ? this.buf : new Uint8Array(Math.max(have + n, 2 * this.buf.length, this.readAhead));
    if (target === this.buf) target.copyWithin(0, this.start, this.end);
    else target.set(this.buf.subarray(this.start, this.end), 0);
    this.base += this.start;
    this.buf = target;
    this.start = 0;
    this.end = have;
  }

  async close(): Promise<void> {
    if (!this.eof) await this.it.return?.();
  }
}
