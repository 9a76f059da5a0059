/**
 * Flink's `CheckpointProperties` trailer (metadata versions 4+): a plain view of the decoded
 * Java object, and a writer that emits the stream `ObjectOutputStream` would produce for it.
 */
import { NodeBuffer } from '../binary/node-buffer.js';
import { FormatError } from '../errors.js';
import {
  SC_ENUM, SC_SERIALIZABLE,
  getField, javaFieldOrder,
  type JavaClassDesc, type JavaContent, type JavaFieldCode, type JavaFieldDesc, type JavaFieldValue,
  type JavaObject,
} from './java-model.js';
import { readJavaStream } from './java-serialization.js';
import { writeJavaStream } from './java-writer.js';

const RT = 'org.apache.flink.runtime.checkpoint.';
/** Binary names of the classes that appear in the trailer. */
export const TRAILER_CLASSES = {
  checkpointProperties: `${RT}CheckpointProperties`,
  checkpointType: `${RT}CheckpointType`,
  savepointType: `${RT}SavepointType`,
  sharingFilesStrategy: `${RT}SnapshotType$SharingFilesStrategy`,
  postCheckpointAction: `${RT}SavepointType$PostCheckpointAction`,
  savepointFormatType: 'org.apache.flink.core.execution.SavepointFormatType',
  enum: 'java.lang.Enum',
} as const;

/** The snapshot type (`CheckpointProperties.checkpointType`, declared as `SnapshotType`). */
export interface SnapshotTypeView {
  /** From the concrete class: `CheckpointType`, `SavepointType`, or anything else. */
  kind: 'checkpoint' | 'savepoint' | 'unknown';
  className: string;
  /** The `name` field, e.g. `Checkpoint`, `Savepoint`, `Suspend Savepoint`; null if null. */
  name: string | null;
  /** CheckpointType only: `FORWARD_BACKWARD`, `FORWARD` or `NO_SHARING`; absent if null. */
  sharingFilesStrategy?: string;
  /** SavepointType only; absent if null. */
  formatType?: 'CANONICAL' | 'NATIVE' | (string & {});
  /** SavepointType only: `NONE`, `SUSPEND` or `TERMINATE`; absent if null. */
  postCheckpointAction?: string;
}

/** The decoded `CheckpointProperties` object. */
export interface CheckpointPropertiesView {
  discardCancelled: boolean;
  discardFailed: boolean;
  discardFinished: boolean;
  discardSubsumed: boolean;
  discardSuspended: boolean;
  forced: boolean;
  unclaimed: boolean;
  snapshotType: SnapshotTypeView;
  /** Every class descriptor of the stream in stream order; `suid` as a decimal string. */
  classes: { name: string; suid: string }[];
}

/**
 * The serialVersionUIDs that vary between Flink releases. `CheckpointType` and `SavepointType`
 * declare none, so the JVM computes them from the class shape; a mismatch makes Flink's
 * `readObject` fail. (`CheckpointProperties` is always 2, the enums always 0.)
 */
export interface TrailerTemplate {
  checkpointTypeSuid: bigint;
  savepointTypeSuid: bigint;
}

/**
 * SUIDs observed in every real `_metadata` file of the test corpus written by Flink 1.16, 1.17,
 * 1.18, 1.19, 1.20, 2.0, 2.1, 2.2 and 2.3 (their JVM-computed SUIDs did not change in between;
 * this is variant "B" of the spec's table, not the computed variant "A").
 */
const TEMPLATE_FLINK_1_16_TO_2_3: Readonly<TrailerTemplate> = Object.freeze({
  checkpointTypeSuid: -2963844630364414662n, // 0xd6de4f0305ae1d3a
  savepointTypeSuid: -6879297871714708296n, // 0xa087d308a45814b8
});

const OBSERVED_RELEASES = ['1.16', '1.17', '1.18', '1.19', '1.20', '2.0', '2.1', '2.2', '2.3'] as const;
/** Flink releases whose trailer SUIDs were observed in real files. */
export type ObservedFlinkRelease = (typeof OBSERVED_RELEASES)[number];

/** Template per observed Flink release (all the same so far). */
export const TEMPLATES_BY_RELEASE = Object.freeze(
  Object.fromEntries(OBSERVED_RELEASES.map((r) => [r, TEMPLATE_FLINK_1_16_TO_2_3])),
) as Readonly<Record<ObservedFlinkRelease, Readonly<TrailerTemplate>>>;

/** The template used when none is given. */
export const DEFAULT_TEMPLATE: Readonly<TrailerTemplate> = TEMPLATE_FLINK_1_16_TO_2_3;

/**
 * The SUIDs of a decoded view (so that re-encoding an edited file keeps its release's SUIDs);
 * a class the view's stream did not contain takes its SUID from `fallback`.
 */
export function templateFrom(
  view: Pick<CheckpointPropertiesView, 'classes'>,
  fallback: Readonly<TrailerTemplate> = DEFAULT_TEMPLATE,
): TrailerTemplate {
  const suid = (name: string, dflt: bigint): bigint => {
    const c = view.classes.find((k) => k.name === name);
    if (c === undefined) return dflt;
    if (!/^-?\d{1,19}$/.test(c.suid)) {
      throw new FormatError('InvalidModel', `serialVersionUID of ${name} is not a decimal long: ${c.suid}`);
    }
    return BigInt(c.suid);
  };
  return {
    checkpointTypeSuid: suid(TRAILER_CLASSES.checkpointType, fallback.checkpointTypeSuid),
    savepointTypeSuid: suid(TRAILER_CLASSES.savepointType, fallback.savepointTypeSuid),
  };
}

/** The seven boolean fields of `CheckpointProperties`. */
const BOOLEAN_FIELDS = [
  'discardCancelled', 'discardFailed', 'discardFinished', 'discardSubsumed', 'discardSuspended',
  'forced', 'unclaimed',
] as const;

/**
 * Decodes the trailer: a Java serialization stream holding one `CheckpointProperties` object
 * (or the null object, written by the State Processor API, which gives `null`). Fields are
 * looked up by name; extra fields are ignored.
 *
 * @param raw the trailer bytes, from `AC ED 00 05` to the end of the file
 * @param baseOffset absolute file offset of `raw[0]`, for error offsets
 * @throws FormatError `BadTrailer` if it is not such a stream / object (also `Truncated`,
 *   `BadUtf`); never anything else
 */
export function readCheckpointProperties(raw: Uint8Array, baseOffset = 0): CheckpointPropertiesView | null {
  // Flink writes a handful of distinct trailers (one per snapshot type and release): a trailer seen
  // before is answered from a small cache of its decoded view, as a fresh copy.
  const key = raw.length <= MEMO_MAX_BYTES ? bytesKey(raw) : undefined;
  const known = key === undefined ? undefined : memo.get(key);
  if (known !== undefined) return copyView(known);
  const stream = readJavaStream(raw, baseOffset, 'properties');
  const view = checkpointPropertiesView(stream.root, stream.classDescs, baseOffset);
  if (key !== undefined) {
    if (memo.size >= MEMO_ENTRIES) memo.clear();
    memo.set(key, copyView(view));
  }
  return view;
}

const MEMO_MAX_BYTES = 4096;
const MEMO_ENTRIES = 32;
const memo = new Map<string, CheckpointPropertiesView | null>();

/** One char per byte (Node's native latin-1 slicing where present), so distinct bytes give distinct keys. */
function bytesKey(b: Uint8Array): string {
  if (NodeBuffer !== undefined) return NodeBuffer.from(b.buffer, b.byteOffset, b.length).latin1Slice(0, b.length);
  let s = '';
  for (let i = 0; i < b.length; i += 1024) s += String.fromCharCode(...b.subarray(i, i + 1024));
  return s;
}

function copyView(v: CheckpointPropertiesView | null): CheckpointPropertiesView | null {
  if (v === null) return null;
  return { ...v, snapshotType: { ...v.snapshotType }, classes: v.classes.map((c) => ({ ...c })) };
}

/**
 * The view of an already decoded `CheckpointProperties` object (e.g. one field of a larger
 * stream); `classDescs` fills {@link CheckpointPropertiesView.classes}.
 * @throws FormatError `BadTrailer` if `root` is not such an object
 */
export function checkpointPropertiesView(
  root: JavaContent,
  classDescs: readonly JavaClassDesc[],
  baseOffset = 0,
): CheckpointPropertiesView | null {
  if (root === null) return null;
  const bad = (detail: string, at: number | undefined, path = ''): FormatError =>
    new FormatError('BadTrailer', detail, { offset: at ?? baseOffset, path: `properties${path}` });
  const field = (obj: JavaObject, name: string, code: JavaFieldCode, path: string): JavaFieldValue => {
    const found = getField(obj, name);
    if (found === undefined) throw bad(`${obj.classDesc.name} has no field ${name}`, obj.offset, path);
    if (found.field.code !== code) {
      const detail = `field ${name} has type '${found.field.code}', expected '${code}'`;
      throw bad(detail, obj.offset, `${path}.${name}`);
    }
    return found.value;
  };
  const str = (obj: JavaObject, name: string, path: string): string | null => {
    const v = field(obj, name, 'L', path);
    if (v !== null && typeof v !== 'string') {
      throw bad(`field ${name} is not a string`, obj.offset, `${path}.${name}`);
    }
    return v;
  };
  const enumConst = (obj: JavaObject, name: string, className: string, path: string): string | undefined => {
    const v = field(obj, name, 'L', path);
    if (v === null) return undefined;
    if (typeof v === 'object' && v.kind === 'enum' && v.className === className) return v.constant;
    throw bad(`field ${name} is not a ${className} constant`, obj.offset, `${path}.${name}`);
  };

  const rootClass = typeof root === 'string' ? 'a string' : root.kind === 'enum' ? 'an enum' : root.classDesc.name;
  if (typeof root !== 'object' || root.kind !== 'object' || rootClass !== TRAILER_CLASSES.checkpointProperties) {
    throw bad(`trailer holds ${rootClass}, not ${TRAILER_CLASSES.checkpointProperties}`, baseOffset + 4);
  }
  const flags = {} as Record<(typeof BOOLEAN_FIELDS)[number], boolean>;
  for (const name of BOOLEAN_FIELDS) flags[name] = field(root, name, 'Z', '') as boolean;

  const t = field(root, 'checkpointType', 'L', '');
  if (t === null || typeof t !== 'object' || t.kind !== 'object') {
    throw bad('checkpointType is not an object', root.offset, '.checkpointType');
  }
  const className = t.classDesc.name;
  const p = '.checkpointType';
  let snapshotType: SnapshotTypeView;
  if (className === TRAILER_CLASSES.checkpointType) {
    snapshotType = { kind: 'checkpoint', className, name: str(t, 'name', p) };
    const s = enumConst(t, 'sharingFilesStrategy', TRAILER_CLASSES.sharingFilesStrategy, p);
    if (s !== undefined) snapshotType.sharingFilesStrategy = s;
  } else if (className === TRAILER_CLASSES.savepointType) {
    const formatType = enumConst(t, 'formatType', TRAILER_CLASSES.savepointFormatType, p);
    snapshotType = { kind: 'savepoint', className, name: str(t, 'name', p) };
    if (formatType !== undefined) snapshotType.formatType = formatType;
    const a = enumConst(t, 'postCheckpointAction', TRAILER_CLASSES.postCheckpointAction, p);
    if (a !== undefined) snapshotType.postCheckpointAction = a;
  } else {
    const n = getField(t, 'name')?.value;
    snapshotType = { kind: 'unknown', className, name: typeof n === 'string' ? n : null };
  }
  const classes = classDescs.map((d) => ({ name: d.name, suid: d.suid.toString() }));
  return { ...flags, snapshotType, classes };
}

// ------------------------------------------------------------------------------ writing

/**
 * Encodes a view as a fresh Java serialization stream, byte for byte as Flink's
 * `ObjectOutputStream.writeObject(checkpointProperties)` would (`null` gives `AC ED 00 05 70`).
 * Absent enum fields are written as null. Views of kind `unknown` cannot be written.
 *
 * @param template the SUIDs of `CheckpointType` / `SavepointType`; use {@link templateFrom} to
 *   keep those of a decoded file
 * @throws FormatError `InvalidModel` for values that cannot be written
 */
export function writeCheckpointProperties(
  view: Omit<CheckpointPropertiesView, 'classes'> | null,
  template: Readonly<TrailerTemplate> = DEFAULT_TEMPLATE,
): Uint8Array {
  if (view === null) return writeJavaStream(null);
  const invalid = (detail: string, path = ''): FormatError =>
    new FormatError('InvalidModel', detail, { path: `properties${path}` });
  const descs = new Map<string, JavaClassDesc>();
  const desc = (name: string, suid: bigint, fields: JavaFieldDesc[] = [], isEnum = false): JavaClassDesc => {
    let d = descs.get(name);
    if (d === undefined) {
      // Every enum descriptor has java.lang.Enum's (0x12, SUID 0, no fields) as its superclass.
      const base = isEnum && name !== TRAILER_CLASSES.enum;
      const superClass = base ? desc(TRAILER_CLASSES.enum, 0n, [], true) : null;
      const flags = SC_SERIALIZABLE | (isEnum ? SC_ENUM : 0);
      d = { kind: 'classDesc', name, suid, flags, fields: javaFieldOrder(fields), superClass };
      descs.set(name, d);
    }
    return d;
  };
  const obj = (d: JavaClassDesc, values: Record<string, JavaFieldValue>): JavaObject => ({
    kind: 'object',
    classDesc: d,
    classData: [{ classDesc: d, values: d.fields.map((f) => values[f.name] ?? null) }],
  });
  const ref = (name: string, cls: string): JavaFieldDesc => ({
    code: 'L',
    name,
    signature: `L${cls.replace(/\./g, '/')};`,
  });
  const enumValue = (cls: string, constant: string | undefined, path: string): JavaContent => {
    if (constant === undefined || constant === null) return null;
    if (typeof constant !== 'string') throw invalid(`enum constant must be a string`, path);
    return { kind: 'enum', classDesc: desc(cls, 0n, [], true), className: cls, constant };
  };

  const st = view.snapshotType;
  if (st === null || typeof st !== 'object') throw invalid('snapshotType is missing', '.checkpointType');
  if (st.name !== null && typeof st.name !== 'string') {
    throw invalid('name must be a string or null', '.checkpointType.name');
  }
  const p = '.checkpointType';
  let type: JavaObject;
  if (st.kind === 'checkpoint') {
    const d = desc(TRAILER_CLASSES.checkpointType, template.checkpointTypeSuid, [
      ref('name', 'java.lang.String'),
      ref('sharingFilesStrategy', TRAILER_CLASSES.sharingFilesStrategy),
    ]);
    type = obj(d, {
      name: st.name,
      sharingFilesStrategy: enumValue(TRAILER_CLASSES.sharingFilesStrategy, st.sharingFilesStrategy, p),
    });
  } else if (st.kind === 'savepoint') {
    const d = desc(TRAILER_CLASSES.savepointType, template.savepointTypeSuid, [
      ref('name', 'java.lang.String'),
      ref('formatType', TRAILER_CLASSES.savepointFormatType),
      ref('postCheckpointAction', TRAILER_CLASSES.postCheckpointAction),
    ]);
    type = obj(d, {
      name: st.name,
      formatType: enumValue(TRAILER_CLASSES.savepointFormatType, st.formatType, p),
      postCheckpointAction: enumValue(TRAILER_CLASSES.postCheckpointAction, st.postCheckpointAction, p),
    });
  } else {
    throw invalid(`cannot write a snapshot type of kind ${String(st.kind)} (${st.className})`, p);
  }
  const values: Record<string, JavaFieldValue> = { checkpointType: type };
  for (const name of BOOLEAN_FIELDS) {
    if (typeof view[name] !== 'boolean') throw invalid(`${name} must be a boolean`, `.${name}`);
    values[name] = view[name];
  }
  const fields: JavaFieldDesc[] = BOOLEAN_FIELDS.map((name) => ({ code: 'Z', name }));
  fields.push(ref('checkpointType', `${RT}SnapshotType`));
  return writeJavaStream(obj(desc(TRAILER_CLASSES.checkpointProperties, 2n, fields), values));
}
