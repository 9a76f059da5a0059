import {
  getField,
  readJavaStreamPrefix,
  type ByteReader,
  type JavaAnnotationItem,
  type JavaClassDesc,
  type JavaContent,
  type JavaFieldValue,
  type JavaObject,
} from '@ckpt/format';
import { StateError } from '../errors.js';

/**
 * Flink SQL logical types (`org.apache.flink.table.types.logical`) as the serializer snapshots of
 * the Table runtime store them: Java-serialized `LogicalType` objects. Read with the format
 * package's bounded Java-serialization reader and a class allow-list; nothing is instantiated.
 * `root` is the `LogicalTypeRoot` constant (e.g. `BIGINT`, `TIMESTAMP_WITH_LOCAL_TIME_ZONE`).
 */
export interface LogicalType {
  root: string;
  nullable: boolean;
  /** CHAR / VARCHAR / BINARY / VARBINARY length. */
  length?: number;
  /** DECIMAL, TIME, TIMESTAMP(_LTZ), interval precision. */
  precision?: number;
  scale?: number;
  /** DAY_TIME / YEAR_MONTH interval resolution (`DAY_TO_SECOND`, `MONTH`, …). */
  resolution?: string;
  /** DAY_TIME interval: the day precision (`precision` is the fractional-second one). */
  dayPrecision?: number;
  /** ARRAY / MULTISET element. */
  element?: LogicalType;
  /** MAP key and value. */
  key?: LogicalType;
  value?: LogicalType;
  /** ROW / STRUCTURED fields. */
  fields?: { name: string; type: LogicalType }[];
  /** RAW: the Java class of the values; STRUCTURED / DISTINCT: the type's name or class. */
  className?: string;
}

const T = 'org.apache.flink.table.types.';
const ALLOWED_PREFIXES = [
  T, // logical types, and DataType, AtomicDataType, FieldsDataType, CollectionDataType, KeyValueDataType
  'org.apache.flink.table.runtime.typeutils.',
  // the generated-code comparator of a sorted map (class name, code and references; never run)
  'org.apache.flink.table.runtime.generated.',
  'org.apache.flink.table.runtime.operators.rank.',
  'org.apache.flink.table.dataview.',
  'org.apache.flink.table.api.dataview.',
  'org.apache.flink.table.data.',
  'org.apache.flink.table.catalog.ObjectIdentifier',
  'org.apache.flink.api.common.typeutils.',
  'org.apache.flink.api.java.typeutils.runtime.',
  'org.apache.flink.api.java.tuple.',
];
const ALLOWED_JAVA = new Set([
  'java.lang.Enum',
  'java.lang.Number',
  'java.lang.Integer',
  'java.lang.Long',
  'java.lang.Boolean',
  'java.lang.String',
  'java.lang.Object',
  'java.util.ArrayList',
  'java.util.CollSer', // the serial form of List.of(…)
  'java.util.Collections$UnmodifiableList',
  'java.util.Collections$UnmodifiableRandomAccessList',
  'java.util.Collections$UnmodifiableCollection',
  'java.util.Collections$EmptyList',
  'java.util.Arrays$ArrayList',
  'java.util.Optional',
  'java.util.HashMap',
  'java.util.LinkedHashMap',
  'java.util.HashSet',
  // a serializable lambda's serial form (a nested RowDataSerializer's field getters): names and captured
  // arguments only, each argument checked against this list like any other object
  'java.lang.invoke.SerializedLambda',
]);

/** The classes a Table-runtime snapshot may Java-serialize: Flink's type and serializer classes, a few JDK collections. */
export function allowTableClass(name: string): boolean {
  if (name.startsWith('[')) return /^\[+([ZBCSIJFD]|L(java\.lang\.(Object|String)|org\.apache\.flink\.).*;)$/.test(name);
  return ALLOWED_JAVA.has(name) || ALLOWED_PREFIXES.some((p) => name.startsWith(p));
}

/**
 * Reads one Java serialization stream at `r`'s position (written by `InstantiationUtil.serializeObject`,
 * no length prefix) and advances past it. A class outside {@link allowTableClass} is an
 * `UnknownSerializer` error naming it — except inside the serializer a RAW type carries: that is
 * the job's serializer of the job's class, read structurally (nothing is instantiated) and unused.
 */
export function readJavaObject(r: ByteReader, what: string): JavaContent {
  const at = r.offset;
  const s = readJavaStreamPrefix(r.bytes.subarray(r.offset), r.base + r.offset, r.path, {
    annotations: true,
    arrays: true,
    // a DataType's conversion class or a RAW type's class is only named, never held
    classes: true,
    maxDepth: 64,
  });
  const outside = classOutsideRaw(s.root);
  if (outside) {
    throw new StateError('UnknownSerializer', `${what}: class ${outside.name} is not in the allow-list; ckpt reads only Flink's own type classes`, {
      offset: outside.offset ?? r.base + at,
      path: r.path,
    });
  }
  r.offset += s.length;
  return s.root;
}

const RAW_TYPE = `${T}logical.RawType`;

/**
 * The first object, enum or array (or one of its superclasses) outside the allow-list that is not
 * inside a RAW type's `serializer` field. Iterative, each node visited once per context.
 */
function classOutsideRaw(root: JavaContent): { name: string; offset?: number } | undefined {
  const seen = [new Set<object>(), new Set<object>()];
  const todo: [JavaFieldValue | JavaAnnotationItem, boolean][] = [[root, false]];
  while (todo.length > 0) {
    const [v, inRaw] = todo.pop()!;
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array || v.kind === 'class') continue;
    const visited = seen[inRaw ? 1 : 0]!;
    if (visited.has(v)) continue;
    visited.add(v);
    if (!inRaw) {
      for (let d: JavaClassDesc | null = v.classDesc; d !== null; d = d.superClass) {
        if (!allowTableClass(d.name)) return { name: d.name, ...(v.offset === undefined ? {} : { offset: v.offset }) };
      }
    }
    if (v.kind === 'array') {
      if (Array.isArray(v.elements)) for (const e of v.elements) todo.push([e, inRaw]);
    } else if (v.kind === 'object') {
      const raw = v.classDesc.name === RAW_TYPE;
      for (const cd of v.classData) {
        cd.values.forEach((x, i) => todo.push([x, inRaw || (raw && cd.classDesc.fields[i]?.name === 'serializer')]));
        for (const a of cd.annotation ?? []) todo.push([a, inRaw]);
      }
    }
  }
  return undefined;
}

function bad(detail: string): StateError {
  return new StateError('BadValue', detail);
}

function field(o: JavaObject, name: string): JavaFieldValue {
  const f = getField(o, name);
  if (!f) throw bad(`${o.classDesc.name} has no field ${name}`);
  return f.value;
}

function int(o: JavaObject, name: string): number {
  const v = field(o, name);
  if (typeof v !== 'number') throw bad(`${o.classDesc.name}.${name} is not an int`);
  return v;
}

function enumName(o: JavaObject, name: string): string {
  const v = field(o, name);
  if (typeof v !== 'object' || v === null || v.kind !== 'enum') throw bad(`${o.classDesc.name}.${name} is not an enum`);
  return v.constant;
}

function obj(v: JavaFieldValue, what: string): JavaObject {
  if (typeof v !== 'object' || v === null || v.kind !== 'object') throw bad(`${what} is not an object`);
  return v;
}

/** Elements of a Java `List` (ArrayList, or a `Collections.unmodifiableList` around one). */
function listElements(v: JavaFieldValue, what: string): JavaContent[] {
  const o = obj(v, what);
  const inner = getField(o, 'list') ?? getField(o, 'c');
  if (inner) return listElements(inner.value, what);
  if (o.classDesc.name === 'java.util.Collections$EmptyList') return [];
  if (o.classDesc.name === 'java.util.Arrays$ArrayList') {
    const a = field(o, 'a');
    if (typeof a !== 'object' || a === null || a.kind !== 'array' || a.elements instanceof Uint8Array) throw bad(`${what}: bad array`);
    return a.elements as JavaContent[];
  }
  // ArrayList / CollSer (List.of) writeObject: int size in block data, then the elements
  const ann = o.classData.find((c) => c.classDesc.name === 'java.util.ArrayList' || c.classDesc.name === 'java.util.CollSer')?.annotation;
  if (!ann) throw bad(`${what}: ${o.classDesc.name} is not a list ckpt knows`);
  return ann.filter((x): x is JavaContent => !(x instanceof Uint8Array));
}

/** Converts a Java-serialized `LogicalType` (or `DataType`, whose `logicalType` it takes). */
export function toLogicalType(v: JavaFieldValue): LogicalType {
  const o = obj(v, 'logical type');
  if (getField(o, 'typeRoot') === undefined && getField(o, 'logicalType')) return toLogicalType(field(o, 'logicalType'));
  const root = enumName(o, 'typeRoot');
  const t: LogicalType = { root, nullable: field(o, 'isNullable') === true };
  const has = (n: string) => getField(o, n) !== undefined;
  switch (root) {
    case 'CHAR':
    case 'VARCHAR':
    case 'BINARY':
    case 'VARBINARY':
      t.length = int(o, 'length');
      break;
    case 'DECIMAL':
      t.precision = int(o, 'precision');
      t.scale = int(o, 'scale');
      break;
    case 'TIME_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
    case 'TIMESTAMP_WITH_TIME_ZONE':
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE':
      t.precision = int(o, 'precision');
      break;
    case 'INTERVAL_YEAR_MONTH':
      t.resolution = enumName(o, 'resolution');
      t.precision = int(o, 'yearPrecision');
      break;
    case 'INTERVAL_DAY_TIME':
      t.resolution = enumName(o, 'resolution');
      t.precision = int(o, 'fractionalPrecision');
      t.dayPrecision = int(o, 'dayPrecision');
      break;
    case 'ARRAY':
    case 'MULTISET':
      t.element = toLogicalType(field(o, 'elementType'));
      break;
    case 'MAP':
      t.key = toLogicalType(field(o, 'keyType'));
      t.value = toLogicalType(field(o, 'valueType'));
      break;
    case 'ROW':
      t.fields = namedTypes(field(o, 'fields'), 'ROW fields');
      break;
    case 'STRUCTURED_TYPE':
      if (has('attributes')) {
        t.fields = namedTypes(field(o, 'attributes'), 'STRUCTURED attributes');
      }
      t.className = className(getField(o, 'implementationClass')?.value ?? null) ?? undefined;
      break;
    case 'DISTINCT_TYPE':
      t.element = toLogicalType(field(o, 'sourceType'));
      break;
    case 'RAW':
      t.className = className(getField(o, 'clazz')?.value ?? null) ?? undefined;
      break;
  }
  return t;
}

/** `RowField`s / `StructuredAttribute`s: `{ name, type }` each. */
function namedTypes(list: JavaFieldValue, what: string): { name: string; type: LogicalType }[] {
  return listElements(list, what).map((f) => {
    const o = obj(f, what);
    const name = field(o, 'name');
    return { name: typeof name === 'string' ? name : '?', type: toLogicalType(field(o, 'type')) };
  });
}

function className(v: JavaFieldValue): string | null {
  return typeof v === 'object' && v !== null && v.kind === 'class' ? v.classDesc.name : null;
}

/** An interval's resolution in SQL, e.g. `YEAR(2) TO MONTH`, `DAY(2) TO SECOND(3)`, `MONTH`. */
function describeResolution(t: LogicalType): string {
  const unit = (u: string) => {
    if (u === 'YEAR') return `YEAR(${t.precision})`;
    if (u === 'DAY') return `DAY(${t.dayPrecision})`;
    if (u === 'SECOND') return `SECOND(${t.precision})`;
    return u;
  };
  return (t.resolution ?? '?').split('_TO_').map(unit).join(' TO ');
}

/** SQL-like display of a type, e.g. `VARCHAR(2147483647)`, `DECIMAL(10, 2) NOT NULL`, `ROW<word STRING>`. */
export function describeLogicalType(t: LogicalType): string {
  const nn = t.nullable ? '' : ' NOT NULL';
  switch (t.root) {
    case 'VARCHAR':
      return (t.length === 2147483647 ? 'STRING' : `VARCHAR(${t.length})`) + nn;
    case 'VARBINARY':
      return (t.length === 2147483647 ? 'BYTES' : `VARBINARY(${t.length})`) + nn;
    case 'CHAR':
    case 'BINARY':
      return `${t.root}(${t.length})${nn}`;
    case 'DECIMAL':
      return `DECIMAL(${t.precision}, ${t.scale})${nn}`;
    case 'TIME_WITHOUT_TIME_ZONE':
      return `TIME(${t.precision})${nn}`;
    case 'TIMESTAMP_WITHOUT_TIME_ZONE':
      return `TIMESTAMP(${t.precision})${nn}`;
    case 'TIMESTAMP_WITH_TIME_ZONE':
      return `TIMESTAMP(${t.precision}) WITH TIME ZONE${nn}`;
    case 'TIMESTAMP_WITH_LOCAL_TIME_ZONE':
      return `TIMESTAMP_LTZ(${t.precision})${nn}`;
    case 'ARRAY':
    case 'MULTISET':
      return `${t.root}<${describeLogicalType(t.element!)}>${nn}`;
    case 'MAP':
      return `MAP<${describeLogicalType(t.key!)}, ${describeLogicalType(t.value!)}>${nn}`;
    case 'ROW':
      return `ROW<${(t.fields ?? []).map((f) => `${f.name} ${describeLogicalType(f.type)}`).join(', ')}>${nn}`;
    case 'RAW':
      return `RAW(${t.className ?? '?'})${nn}`;
    case 'INTERVAL_YEAR_MONTH':
    case 'INTERVAL_DAY_TIME':
      return `INTERVAL ${describeResolution(t)}${nn}`;
    default:
      return t.root + nn;
  }
}
