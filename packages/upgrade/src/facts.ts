import { ByteReader, mapLimit, type CheckpointMetadata, type KeyedStateHandle, type OperatorState, type OperatorStateHandle, type StreamStateHandle } from '@ckpt/format';
import {
  readExactly,
  readKeyedStateHeader,
  readOperatorStateHeader,
  type ByteSource,
  type SerializerSnapshot,
  type StateMetaInfo,
} from '@ckpt/state';
import { handleCodes, type HandleCode } from './handles.js';

/** One serializer snapshot inside a state's serializer tree. */
export interface SerializerUse {
  /** Where: `key`, `value`, `value[0]` (first nested), `value.items` (POJO field)… */
  path: string;
  className: string;
  version: number;
  /** `KryoSerializerSnapshot`: the type and the class names of its registrations. */
  kryo?: { typeClass: string; registrations: string[]; defaultSerializers: string[] };
}

/** A state of an operator as its file headers describe it (merged over subtasks). */
export interface StateFacts {
  name: string;
  kind: 'keyed' | 'operator' | 'broadcast' | 'timers';
  /** Keyed state: from a RocksDB / ForSt native or incremental snapshot (SST files). */
  sst: boolean;
  serializers: SerializerUse[];
}

/** A header ckpt could not read to its end, with the snapshot class names found by scanning it. */
export interface UnreadHeader {
  file: string;
  what: 'keyed' | 'operator';
  error: string;
  /** The file uses the pre-1.7 serializer snapshot envelope (format 1). */
  legacyEnvelope: boolean;
  classNames: { className: string; version: number }[];
}

export interface OperatorFacts {
  operatorId: string;
  uid?: string;
  name?: string;
  keyedProxyVersions: number[];
  operatorProxyVersions: number[];
  /** The key serializer of its keyed state (shared by all keyed states), flattened. */
  keySerializer: SerializerUse[];
  states: StateFacts[];
  unread: UnreadHeader[];
  /** State files that could not be opened (missing, no access): their headers are not checked. */
  unavailable: string[];
  /** Changelog increments (state-change files) whose headers ckpt does not read. */
  changelogIncrements: boolean;
}

/** What `upgradeCheck` looks at: `_metadata` facts and the state-file headers. */
export interface SnapshotFacts {
  metadataVersion: number;
  checkpointId: bigint;
  snapshot: 'checkpoint' | 'savepoint' | 'unknown';
  format?: string;
  handleCodes: HandleCode[];
  /** Operators with in-flight data (unaligned checkpoint channel state). */
  channelStateOperators: string[];
  /** Operators with RocksDB / ForSt native or incremental handles (SST files). */
  nativeOperators: string[];
  operators: OperatorFacts[];
  /** Whether the state files were asked for at all. */
  stateFilesRead: boolean;
}

/** Reads a state handle's bytes; `resolve` of `@ckpt/state`'s `HandleResolver`. */
export type Resolve = (h: StreamStateHandle) => ByteSource;

export interface CollectOptions {
  /** Read the state-file headers (default true when `resolve` is given). */
  resolve?: Resolve;
  /** Files read at a time (default 8). */
  concurrency?: number;
}

const ROLE: Record<string, string> = { KEY_SERIALIZER: 'key', VALUE_SERIALIZER: 'value', NAMESPACE_SERIALIZER: 'namespace' };

function flatten(s: SerializerSnapshot, path: string, out: SerializerUse[]): void {
  const use: SerializerUse = { path, className: s.className, version: s.version };
  if (s.config?.kind === 'kryo') {
    use.kryo = { typeClass: s.config.typeClass, registrations: s.config.registrations, defaultSerializers: [...s.config.defaultSerializers, ...s.config.defaultSerializerClasses] };
  }
  out.push(use);
  s.nested.forEach((n, i) => flatten(n, `${path}[${i}]`, out));
  if (s.config?.kind === 'pojo') for (const f of s.config.fields) if (f.snapshot) flatten(f.snapshot, `${path}.${f.name}`, out);
}

const CLASS_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;
const ADAPTER_VERSION = 0x7a53c4f0;

/**
 * The versioned snapshots (`utf className`, `int version`) in a header ckpt cannot parse to its
 * end: every modified-UTF-8 string shaped like a Java class name followed by a plausible version.
 */
export function scanSnapshotClasses(b: Uint8Array): { className: string; version: number }[] {
  const out: { className: string; version: number }[] = [];
  for (let p = 0; p + 2 < b.length; p++) {
    const len = (b[p]! << 8) | b[p + 1]!;
    if (len < 5 || len > 500 || p + 2 + len + 4 > b.length) continue;
    let s = '';
    let ok = true;
    for (let i = p + 2; i < p + 2 + len && ok; i++) {
      const c = b[i]!;
      ok = c > 0x20 && c < 0x7f;
      s += String.fromCharCode(c);
    }
    if (!ok || !CLASS_NAME.test(s)) continue;
    const q = p + 2 + len;
    const version = ((b[q]! << 24) | (b[q + 1]! << 16) | (b[q + 2]! << 8) | b[q + 3]!) | 0;
    if ((version >= 0 && version < 1000) || version === ADAPTER_VERSION) {
      out.push({ className: s, version });
      p = q + 3;
    }
  }
  return out;
}

function merge(into: SerializerUse[], uses: SerializerUse[]): void {
  for (const u of uses) {
    if (!into.some((x) => x.path === u.path && x.className === u.className && x.version === u.version)) into.push(u);
  }
}

class OperatorCollector {
  readonly facts: OperatorFacts;
  private readonly states = new Map<string, StateFacts>();

  constructor(op: OperatorState) {
    this.facts = {
      operatorId: op.operatorId,
      ...(op.uid === undefined ? {} : { uid: op.uid }),
      ...(op.name === undefined ? {} : { name: op.name }),
      keyedProxyVersions: [],
      operatorProxyVersions: [],
      keySerializer: [],
      states: [],
      unread: [],
      unavailable: [],
      changelogIncrements: false,
    };
  }

  addState(meta: StateMetaInfo, kind: StateFacts['kind'], sst: boolean, key?: SerializerSnapshot): void {
    const id = `${kind}/${meta.name}`;
    let st = this.states.get(id);
    if (!st) {
      st = { name: meta.name, kind, sst, serializers: [] };
      this.states.set(id, st);
      this.facts.states.push(st);
    }
    const uses: SerializerUse[] = [];
    for (const [k, s] of meta.serializers) flatten(s, ROLE[k] ?? k, uses);
    merge(st.serializers, uses);
    if (key) {
      const keyUses: SerializerUse[] = [];
      flatten(key, 'key', keyUses);
      merge(this.facts.keySerializer, keyUses);
    }
  }

  version(list: number[], v: number): void {
    if (!list.includes(v)) list.push(v);
  }

  unreadHeader(file: string, what: UnreadHeader['what'], bytes: Uint8Array, e: unknown): void {
    const error = e instanceof Error ? e.message : String(e);
    if (this.facts.unread.some((u) => u.error === error && u.what === what)) return;
    const legacyEnvelope = /snapshot proxy version 1\b/.test(error);
    this.facts.unread.push({ file, what, error, legacyEnvelope, classNames: scanSnapshotClasses(bytes) });
  }
}

function keyedKind(meta: StateMetaInfo): StateFacts['kind'] {
  return meta.backendStateType === 'PRIORITY_QUEUE' ? 'timers' : 'keyed';
}

async function readKeyed(c: OperatorCollector, h: KeyedStateHandle, resolve: Resolve): Promise<void> {
  let src: ByteSource;
  let sst = false;
  switch (h.kind) {
    case 'keyGroups':
    case 'savepointKeyGroups':
      src = resolve(h.delegate);
      break;
    case 'incremental':
      src = resolve(h.metaStateHandle);
      sst = true;
      break;
    case 'changelog':
      for (const x of h.materialized) if (x) await readKeyed(c, x, resolve);
      if (h.nonMaterialized.length > 0) c.facts.changelogIncrements = true;
      return;
    default:
      c.facts.changelogIncrements = true;
      return;
  }
  const offsets = h.kind === 'incremental' ? [] : h.offsets.map(Number);
  await readHeader(c, src, 'keyed', offsets, (bytes) => {
    const header = readKeyedStateHeader(new ByteReader(bytes));
    for (const meta of header.states) c.addState(meta, keyedKind(meta), sst, header.keySerializer);
  });
}

async function readOperator(c: OperatorCollector, h: OperatorStateHandle, resolve: Resolve): Promise<void> {
  await readHeader(c, resolve(h.delegate), 'operator', h.states.flatMap((s) => s.offsets.map(Number)), (bytes) => {
    const header = readOperatorStateHeader(new ByteReader(bytes));
    for (const meta of header.operatorStates) c.addState(meta, 'operator', false);
    for (const meta of header.broadcastStates) c.addState(meta, 'broadcast', false);
  });
}

/**
 * Reads a state file's header (the bytes before its first non-zero offset, or all of it), notes
 * its proxy version, and parses it with `parse`; a file that cannot be read is listed as
 * unavailable, a header that cannot be parsed is scanned.
 */
async function readHeader(c: OperatorCollector, src: ByteSource, what: UnreadHeader['what'], offsets: number[], parse: (bytes: Uint8Array) => void): Promise<void> {
  let bytes: Uint8Array;
  try {
    const size = await src.size();
    const nonZero = offsets.filter((o) => o > 0);
    bytes = await readExactly(src, 0, Math.min(size, nonZero.length ? Math.min(...nonZero) : size));
  } catch {
    if (!c.facts.unavailable.includes(src.name)) c.facts.unavailable.push(src.name);
    return;
  }
  if (bytes.length < 4) return;
  c.version(what === 'keyed' ? c.facts.keyedProxyVersions : c.facts.operatorProxyVersions, new ByteReader(bytes).i32('proxy version'));
  try {
    parse(bytes);
  } catch (e) {
    c.unreadHeader(src.name, what, bytes, e);
  }
}

/**
 * The facts of a checkpoint an upgrade check needs: `_metadata` version, handle codes, channel
 * and native state, and — with `resolve` — every managed keyed and operator state file's header
 * (proxy versions, state names, serializer snapshot trees). Missing files are listed, not thrown.
 */
export async function collectFacts(m: CheckpointMetadata, opts: CollectOptions = {}): Promise<SnapshotFacts> {
  const type = m.properties?.view?.snapshotType;
  const operators = m.operators.map((op) => new OperatorCollector(op));
  const resolve = opts.resolve;
  if (resolve) {
    const jobs: (() => Promise<void>)[] = [];
    m.operators.forEach((op, i) => {
      const c = operators[i]!;
      for (const s of op.subtasks) {
        const k = s.managedKeyedState;
        const o = s.managedOperatorState;
        if (k) jobs.push(() => readKeyed(c, k, resolve));
        if (o) jobs.push(() => readOperator(c, o, resolve));
      }
    });
    await mapLimit(jobs, opts.concurrency ?? 8, (job) => job());
  }
  const has = (op: OperatorState, p: (s: OperatorState['subtasks'][number]) => boolean) => op.subtasks.some(p);
  return {
    metadataVersion: m.version,
    checkpointId: m.checkpointId,
    snapshot: type?.kind ?? 'unknown',
    ...(type?.formatType === undefined ? {} : { format: type.formatType }),
    handleCodes: handleCodes(m),
    channelStateOperators: m.operators.filter((op) => has(op, (s) => s.inputChannelState.length + s.resultSubpartitionState.length > 0)).map((op) => op.operatorId),
    nativeOperators: m.operators
      .filter((op) => has(op, (s) => s.managedKeyedState?.kind === 'incremental' || (s.managedKeyedState?.kind === 'changelog' && s.managedKeyedState.materialized.some((x) => x?.kind === 'incremental'))))
      .map((op) => op.operatorId),
    operators: operators.map((c) => c.facts),
    stateFilesRead: resolve !== undefined,
  };
}
