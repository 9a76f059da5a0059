import { ByteReader } from './binary/reader.js';
import { ByteWriter } from './binary/writer.js';
import { FormatError } from './errors.js';
import type { DecodeContext, Dialect } from './handles/tags.js';
import type { CheckpointMetadata, InputInfo, MasterState } from './model.js';
import { readOperatorState, writeOperatorState } from './operator-state.js';
import { readCheckpointProperties } from './trailer/properties.js';
import { sha256, sha256Sync } from './digest.js';

/** The magic number every `_metadata` file starts with. */
export const METADATA_MAGIC = 0x4960672d;
const MASTER_STATE_MAGIC = 0xc96b1696 | 0;

/** Layouts tried in order when the current one does not fit the file (see {@link Dialect}). */
const FALLBACK_DIALECTS: Dialect[] = (['release', 'flink-1.15-dev', 'flink-1.14'] as const).flatMap(
  (changelog) => [true, false].map((channelSubtaskIndex) => ({ changelog, channelSubtaskIndex })),
).sort((a, b) => Number(b.channelSubtaskIndex) - Number(a.channelSubtaskIndex));

export interface DecodeOptions {
  /** Force one layout instead of detecting it. */
  dialect?: Dialect;
  /** File name or URI of the input: recorded in `input.file` and in every error. */
  file?: string;
  /**
   * Whether the model offers the input's SHA-256 as `input.sha256` (default `true`). It is computed
   * on first read of that field; `false` leaves the field out.
   */
  digest?: boolean;
}

/**
 * Decodes a `_metadata` file. Throws only {@link FormatError}, with the byte offset and the model
 * path of the first problem. Older layouts that share a tag or version number with newer ones
 * (Flink 1.14 / 1.15-dev changelog handles, 1.11 channel state) are detected by trying them when
 * the current layout does not fit; the model records which fields the file had, so encoding
 * reproduces it.
 *
 * The model borrows the input: byte fields (inline state, master state payloads, the trailer) are
 * views into `bytes`, and `input.sha256` is hashed from `bytes` when first read. Copy the input
 * first if you will overwrite it while the model is in use.
 */
export function decodeMetadata(bytes: Uint8Array, options: DecodeOptions = {}): CheckpointMetadata {
  if (!(bytes instanceof Uint8Array)) {
    throw new FormatError('BadValue', 'input must be a Uint8Array');
  }
  const meta = detectAndDecode(bytes, options);
  meta.input = inputInfo(bytes, options);
  return meta;
}

/**
 * `input` of a decoded model. The SHA-256 is computed when `sha256` is first read (Flink's loader
 * does not hash, and on small files hashing costs more than decoding), from the input the model
 * borrows its bytes from.
 */
function inputInfo(bytes: Uint8Array, options: DecodeOptions): InputInfo {
  let info: InputInfo;
  if (options.digest === false) {
    info = { byteLength: bytes.length };
  } else {
    // an accessor pair in the literal (not defineProperty) keeps the object in V8's fast mode
    let digest: string | undefined | null = null;
    info = {
      byteLength: bytes.length,
      get sha256(): string | undefined {
        return digest === null ? (digest = sha256Sync(bytes)) : digest;
      },
      set sha256(v: string | undefined) {
        digest = v;
      },
    };
  }
  if (options.file !== undefined) info.file = options.file;
  return info;
}

/** {@link decodeMetadata}, with the SHA-256 computed by WebCrypto where node:crypto is absent. */
export async function decodeMetadataAsync(
  bytes: Uint8Array,
  options: DecodeOptions = {},
): Promise<CheckpointMetadata> {
  const meta = decodeMetadata(bytes, options);
  if (options.digest !== false) meta.input!.sha256 ??= await sha256(bytes);
  return meta;
}

function detectAndDecode(bytes: Uint8Array, options: DecodeOptions): CheckpointMetadata {
  const dialects = options.dialect ? [options.dialect] : FALLBACK_DIALECTS;
  // When no layout fits, report the attempt that got furthest (running out of input counts as
  // getting to the end): its error is the one that describes the file.
  let best: FormatError | undefined;
  const tried: DecodeContext[] = [];
  for (const dialect of dialects) {
    // A decode that agrees with an earlier attempt on every layout question that attempt met
    // takes the same path and fails the same way: skip it.
    if (tried.some((t) => sameOnTouched(t, dialect))) continue;
    const ctx: DecodeContext = { version: 0, dialect, touched: {} };
    try {
      return decodeWith(bytes, ctx);
    } catch (e) {
      const err = e instanceof FormatError ? e : internal(e);
      if (best === undefined || progress(err) > progress(best)) best = err;
      tried.push(ctx);
    }
  }
  throw options.file === undefined ? best! : best!.withFile(options.file);
}

/** How far an attempt got; running out of input counts as reaching the end. */
function progress(e: FormatError): number {
  return e.code === 'Truncated' ? Number.MAX_SAFE_INTEGER : (e.offset ?? -1);
}

function sameOnTouched(attempt: DecodeContext, d: Dialect): boolean {
  return (Object.keys(attempt.touched) as (keyof Dialect)[]).every((k) => attempt.dialect[k] === d[k]);
}


export function internal(e: unknown): FormatError {
  return new FormatError('Internal', `internal decoder error: ${String(e)}`, { cause: e });
}

function decodeWith(bytes: Uint8Array, ctx: DecodeContext): CheckpointMetadata {
  const r = new ByteReader(bytes);
  try {
    return readMetadata(r, ctx);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    // A RangeError or similar here is a bug in this package; still surface a FormatError.
    throw internal(e);
  }
}

/** The fixed start of every file: magic, version (recorded in `ctx`), checkpoint id. */
export function readHeader(r: ByteReader, ctx: DecodeContext): { version: number; checkpointId: bigint } {
  const magic = r.i32('magic number');
  if (magic !== METADATA_MAGIC) {
    throw r.error('BadMagic', `expected magic 0x4960672d, found 0x${(magic >>> 0).toString(16).padStart(8, '0')}`, 0);
  }
  const version = r.i32('version');
  if (version < 1 || version > 7) {
    throw r.error('UnsupportedVersion', `metadata version ${version} is not one of 1..7`, 4);
  }
  ctx.version = version;
  const idAt = r.offset;
  const checkpointId = r.i64('checkpoint id');
  if (checkpointId < 0n && version >= 2) {
    throw r.error('BadValue', `checkpoint id ${checkpointId} is negative`, idAt);
  }
  return { version, checkpointId };
}

function readMetadata(r: ByteReader, ctx: DecodeContext): CheckpointMetadata {
  const { version, checkpointId } = readHeader(r, ctx);
  const masterStates: MasterState[] = [];
  if (version >= 2) {
    const n = r.count('number of master states', 8);
    for (let i = 0; i < n; i++) {
      r.enter2('masterStates', i);
      masterStates.push(readMasterState(r));
      r.leave2();
    }
  }
  const n = r.count('number of operators', 24);
  const operators = [];
  for (let i = 0; i < n; i++) {
    r.enter2('operators', i);
    operators.push(readOperatorState(r, ctx));
    r.leave2();
  }
  const meta: CheckpointMetadata = { version, checkpointId, masterStates, operators };
  if (version >= 4) {
    const at = r.offset;
    const raw = r.raw(r.remaining, 'properties');
    r.path = 'properties';
    meta.properties = { raw, view: readCheckpointProperties(raw, at) };
  } else if (r.remaining > 0) {
    throw r.error('TrailingBytes', `${r.remaining} bytes follow the last operator`);
  }
  return meta;
}

export function readMasterState(r: ByteReader): MasterState {
  const at = r.offset;
  const magic = r.i32('master state magic');
  if (magic !== MASTER_STATE_MAGIC) {
    throw r.error('BadMagic', `master state magic 0x${(magic >>> 0).toString(16)} is not 0xc96b1696`, at);
  }
  const lenAt = r.offset;
  const len = r.i32('master state length');
  if (len <= 0) throw r.error('BadLength', `master state length ${len} is not positive`, lenAt);
  const body = new ByteReader(r.raw(len, 'master state'), 0, lenAt + 4);
  body.path = r.path;
  const version = body.i32('master state version');
  const name = body.utf('master state name');
  const payload = body.lengthPrefixed('master state payload');
  if (body.remaining > 0) {
    throw body.error('TrailingBytes', `${body.remaining} bytes follow the master state payload`);
  }
  return { name, version, payload };
}

/**
 * Encodes a model to `_metadata` bytes. For a model from {@link decodeMetadata} the result equals
 * the input byte for byte. Throws {@link FormatError} `InvalidModel` for values the format cannot
 * hold (with the model path).
 */
export function encodeMetadata(meta: CheckpointMetadata): Uint8Array {
  // A decoded model knows its size: one buffer of that size, filled in place, is the output.
  const hint = meta.input?.byteLength;
  const w = new ByteWriter(Number.isSafeInteger(hint) && hint! > 0 && hint! < 2 ** 31 ? hint : 4096);
  const v = meta.version;
  if (!Number.isInteger(v) || v < 1 || v > 7) throw w.invalid(`metadata version ${v} is not one of 1..7`);
  const ctx = { version: v };
  w.i32(METADATA_MAGIC);
  w.i32(v);
  w.i64(meta.checkpointId, 'checkpoint id');
  if (v >= 2) {
    w.count(meta.masterStates.length, 'number of master states');
    meta.masterStates.forEach((m, i) => w.at(`masterStates[${i}]`, () => writeMasterState(w, m)));
  } else if (meta.masterStates.length > 0) {
    throw w.invalid('version 1 has no master states');
  }
  w.count(meta.operators.length, 'number of operators');
  for (let i = 0; i < meta.operators.length; i++) {
    w.enter2('operators', i);
    writeOperatorState(w, meta.operators[i]!, ctx);
    w.leave2();
  }
  if (v >= 4) {
    if (!meta.properties) throw w.invalid(`version ${v} needs the properties trailer`);
    w.raw(meta.properties.raw);
  } else if (meta.properties) {
    throw w.invalid(`version ${v} has no properties trailer`);
  }
  return w.finish();
}

function writeMasterState(w: ByteWriter, m: MasterState): void {
  w.i32(MASTER_STATE_MAGIC);
  const body = new ByteWriter(64 + m.payload.length);
  body.path = w.path;
  body.i32(m.version, 'master state version');
  body.utf(m.name, 'master state name');
  body.lengthPrefixed(m.payload, 'master state payload');
  const bytes = body.finish();
  w.i32(bytes.length);
  w.raw(bytes);
}
