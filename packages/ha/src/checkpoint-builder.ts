/**
 * The `CompletedCheckpoint` object graph Flink's JobManager builds when it adds a checkpoint or
 * savepoint restored by path (`-s <path>`) to its completed-checkpoint store — from ckpt's decoded
 * `_metadata` — ready for {@link writeJavaObjectStream}; its bytes are the
 * `completedCheckpoint<hex>` file in the HA storage directory.
 *
 * What Flink does (read from `Checkpoints.loadAndValidateCheckpoint`, the metadata
 * deserializers, `CompletedCheckpoint`'s constructor and `CheckpointCoordinator.restoreSavepoint`
 * of 1.20, 2.0 and 2.3) and this follows: timestamps 0; properties of an unclaimed snapshot (the
 * default `NO_CLAIM` restore mode); restored properties = the `_metadata` trailer's; storage
 * location resolved from the checkpoint directory; operator states in a map sized for their
 * number, copied into the checkpoint's own map; subtask states as the deserializers create them
 * (shared empty collections, channel-state lists, finished-subtask singleton, `Integer` keys).
 * Handles that Flink gives a fresh random id on load (key-group handles of savepoints and of the
 * oldest formats, incremental handles of the oldest format) get one from `randomUuid`.
 */
import { randomUUID, createHash } from 'node:crypto';
import { keyedStateSize, streamStateSize } from '@ckpt/format';
import type {
  CheckpointMetadata,
  CheckpointPropertiesView,
  HandleAndLocalPath,
  KeyGroupRange,
  KeyedStateHandle,
  OperatorState,
  OperatorStateHandle,
  StreamStateHandle,
  SubtaskState,
} from '@ckpt/format';
import { HaError } from './errors.js';
import { CLS, FlinkClasses, type FlinkLine } from './flink-classes.js';
import { abstractIdHashCode, stringHashCode } from '@ckpt/restore';
import { arrayList, JavaHashMap, plainObject } from './java-collections.js';
import type { JavaStringObject, WArray, WContent, WObject } from './java-writer.js';

/** What the `completedCheckpoint` file of a checkpoint restored by path is built from. */
export interface CompletedCheckpointSource {
  /** The job that restores it, 32 hex digits. */
  jobId: string;
  metadata: CheckpointMetadata;
  /** Size of the `_metadata` file in bytes. */
  metadataSize: number;
  /**
   * The checkpoint directory as Flink's storage resolves it (`file:/abs/chk-3`, `s3://b/p/savepoint-…`),
   * without a trailing slash; `_metadata` is in it.
   */
  externalPointer: string;
  /** Target Flink line (class shapes). */
  line: FlinkLine;
  /** For tests and for reproducing a checkpoint Flink completed itself; default: as a restore by path. */
  overrides?: {
    timestamp?: bigint;
    completionTimestamp?: bigint;
    props?: Omit<CheckpointPropertiesView, 'classes'>;
    /** `null`: none (a checkpoint of a job that was not restored). */
    restoredProps?: Omit<CheckpointPropertiesView, 'classes'> | null;
  };
  /** Source of the ids Flink draws at random on load (default: `crypto.randomUUID`). */
  randomUuid?: () => string;
}

/** Properties of `CheckpointProperties.forUnclaimedSnapshot()` (a restore in `NO_CLAIM` mode). */
export const UNCLAIMED_SNAPSHOT: Readonly<Omit<CheckpointPropertiesView, 'classes'>> = Object.freeze({
  forced: false,
  discardSubsumed: false,
  discardFinished: false,
  discardCancelled: false,
  discardFailed: false,
  discardSuspended: false,
  unclaimed: true,
  snapshotType: { kind: 'savepoint' as const, className: CLS.savepointType, name: 'Savepoint', formatType: 'CANONICAL', postCheckpointAction: 'NONE' },
});

type Obj = Record<string, unknown>;

/** Builds the graph; every object that Flink shares (singletons, cached Integers, the external pointer) is one JS object. */
export function buildCompletedCheckpoint(src: CompletedCheckpointSource): WObject {
  return new GraphBuilder(src).build();
}

class GraphBuilder {
  private readonly c: FlinkClasses;
  private readonly random: () => string;
  private readonly integers = new Map<number, WObject>();
  private readonly enums = new Map<string, WContent>();
  private emptyListObj: WObject | undefined;
  private emptyCollectionObj: WObject | undefined;
  private noRescaleObj: WObject | undefined;
  private finishedSubtaskObj: WObject | undefined;
  private emptyRangeObj: WObject | undefined;

  constructor(private readonly src: CompletedCheckpointSource) {
    this.c = new FlinkClasses(src.line);
    this.random = src.randomUuid ?? randomUUID;
  }

  private obj(name: string, values: Obj): WObject {
    return plainObject(this.c, name, values);
  }

  build(): WObject {
    const { src } = this;
    const pointer = src.externalPointer.replace(/\/+$/, '');
    const external: JavaStringObject = { kind: 'string', value: pointer };
    const metadataHandle = this.fileHandle(`${pointer}/_metadata`, BigInt(src.metadataSize));
    const location = this.obj(CLS.fsLocation, {
      exclusiveCheckpointDir: this.path(pointer),
      externalPointer: external,
      metadataFileHandle: metadataHandle,
    });
    const loaded = JavaHashMap.withExpectedSize(src.metadata.operators.length);
    for (const op of src.metadata.operators) {
      const [lower, upper] = idParts(op.operatorId);
      const id = this.obj(CLS.operatorId, { lowerPart: lower, upperPart: upper });
      loaded.put(id, this.operatorState(op, id, pointer), abstractIdHashCode(op.operatorId));
    }
    const masters = src.metadata.masterStates.map((m) =>
      this.obj(CLS.masterState, { name: m.name, bytes: this.bytes(m.payload), version: m.version }),
    );
    const [jobLower, jobUpper] = idParts(src.jobId);
    return this.obj(CLS.completedCheckpoint, {
      job: this.obj(CLS.jobId, { lowerPart: jobLower, upperPart: jobUpper }),
      checkpointID: src.metadata.checkpointId,
      timestamp: src.overrides?.timestamp ?? 0n,
      completionTimestamp: src.overrides?.completionTimestamp ?? 0n,
      operatorStates: JavaHashMap.copyOf(loaded).toObject(this.c),
      masterHookStates: masters.length === 0 ? this.emptyList() : arrayList(this.c, masters),
      props: this.properties(src.overrides?.props ?? UNCLAIMED_SNAPSHOT),
      restoredProps: this.restoredProperties(),
      storageLocation: location,
      metadataHandle,
      externalPointer: external,
    });
  }

  // ------------------------------------------------------------------ operators and subtasks

  private operatorState(op: OperatorState, id: WObject, pointer: string): WObject {
    const finished = op.finishedMarker !== undefined;
    if (finished && op.coordinatorState !== null) throw new HaError('InvalidModel', `operator ${op.operatorId}: finished with coordinator state`);
    const subtasks = JavaHashMap.withExpectedSize(op.parallelism);
    if (!finished) {
      for (const s of op.subtasks) subtasks.put(this.integer(s.index), this.subtaskState(s, op, pointer), s.index | 0);
    }
    const coordinator = op.coordinatorState === null ? null : this.streamHandle(op.coordinatorState, pointer);
    if (coordinator !== null && (coordinator as WObject).classDesc?.name !== CLS.byteStreamStateHandle) {
      throw new HaError('InvalidModel', `operator ${op.operatorId}: coordinator state is not inline bytes`);
    }
    const values: Obj = {
      operatorID: id,
      operatorSubtaskStates: subtasks.toObject(this.c),
      coordinatorState: coordinator,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
    };
    if (this.c.has(CLS.operatorState, 'operatorName')) {
      values.operatorName = op.name ?? null;
      values.operatorUid = op.uid ?? null;
    }
    return this.obj(finished ? CLS.fullyFinishedOperatorState : CLS.operatorState, values);
  }

  private subtaskState(s: SubtaskState, op: OperatorState, pointer: string): WObject {
    if (s.finished) return this.finishedSubtask();
    if (s.chain !== undefined || (s.legacy !== undefined && s.legacy.legacyOperatorState.some((h) => h !== null))) {
      throw new HaError('Unsupported', `operator ${op.operatorId} subtask ${s.index}: state of a version 1/2 metadata file`);
    }
    if (s.inputChannelState.length > 0 || s.resultSubpartitionState.length > 0) {
      throw new HaError('Unsupported', `operator ${op.operatorId} subtask ${s.index}: unaligned-checkpoint channel state`);
    }
    const sizes = { state: 0n, checkpointed: 0n };
    const collection = (handle: WObject | null, size: bigint, checkpointed: bigint): WObject => {
      if (handle === null) return this.emptyCollection();
      sizes.state += size;
      sizes.checkpointed += checkpointed;
      return this.obj(CLS.stateObjectCollection, { stateObjects: this.obj(CLS.singletonSet, { element: handle }) });
    };
    const operator = (h: OperatorStateHandle | null): WObject => {
      const built = h === null ? null : this.operatorHandle(h, pointer);
      return collection(built?.obj ?? null, built?.size ?? 0n, built?.size ?? 0n);
    };
    const keyed = (h: KeyedStateHandle | null): WObject => {
      const built = h === null ? null : this.keyedHandle(h, pointer);
      return collection(built?.obj ?? null, built?.size ?? 0n, built?.checkpointed ?? 0n);
    };
    // V3+ files hold the channel-state lists (an ArrayList each, empty here); V2 files do not
    const channels = (): WObject =>
      this.src.metadata.version >= 3 ? this.obj(CLS.stateObjectCollection, { stateObjects: arrayList(this.c, []) }) : this.emptyCollection();
    const values: Obj = {
      managedOperatorState: operator(s.managedOperatorState),
      rawOperatorState: operator(s.rawOperatorState),
      managedKeyedState: keyed(s.managedKeyedState),
      rawKeyedState: keyed(s.rawKeyedState),
      inputChannelState: channels(),
      resultSubpartitionState: channels(),
      inputRescalingDescriptor: this.noRescale(),
      outputRescalingDescriptor: this.noRescale(),
    };
    if (this.c.has(CLS.operatorSubtaskState, 'upstreamOutputBufferState')) values.upstreamOutputBufferState = this.emptyCollection();
    values.stateSize = sizes.state;
    values.checkpointedSize = sizes.checkpointed;
    return this.obj(CLS.operatorSubtaskState, values);
  }

  // ------------------------------------------------------------------ state handles

  private operatorHandle(h: OperatorStateHandle, pointer: string): { obj: WObject; size: bigint } {
    if (h.kind !== 'operatorStream') throw new HaError('Unsupported', `operator state handle ${h.kind} (file merging)`);
    const map = JavaHashMap.withExpectedSize(h.states.length);
    for (const st of h.states) {
      map.put(st.name, this.obj(CLS.stateMetaInfo, { offsets: this.longs(st.offsets), distributionMode: this.enumConst(CLS.mode, st.mode) }), stringHashCode(st.name));
    }
    const delegate = this.streamHandle(h.delegate, pointer);
    return { obj: this.obj(CLS.operatorStreamStateHandle, { stateNameToPartitionOffsets: map.toObject(this.c), delegateStateHandle: delegate }), size: streamStateSize(h.delegate) };
  }

  private keyedHandle(h: KeyedStateHandle, pointer: string): { obj: WObject; size: bigint; checkpointed: bigint } {
    switch (h.kind) {
      case 'keyGroups':
      case 'savepointKeyGroups': {
        const size = streamStateSize(h.delegate);
        const offsets = this.obj(CLS.keyGroupRangeOffsets, { keyGroupRange: this.range(h.keyGroupRange), offsets: this.longs(h.offsets) });
        const id = h.kind === 'keyGroups' && h.stateHandleId !== undefined ? h.stateHandleId : this.random();
        const obj = this.obj(h.kind === 'keyGroups' ? CLS.keyGroupsStateHandle : CLS.keyGroupsSavepointStateHandle, {
          groupRangeOffsets: offsets,
          stateHandle: this.streamHandle(h.delegate, pointer),
          stateHandleId: this.stateHandleId(id),
        });
        return { obj, size, checkpointed: size };
      }
      case 'incremental': {
        const files = (list: HandleAndLocalPath[]): WObject =>
          arrayList(this.c, list.map((e) => this.obj(CLS.handleAndLocalPath, { handle: this.streamHandle(e.handle, pointer), localPath: e.localPath })));
        const size = keyedStateSize(h);
        const persisted = h.checkpointedSize ?? -1n;
        const obj = this.obj(CLS.incremental, {
          checkpointId: h.checkpointId,
          backendIdentifier: this.uuid(h.backendId),
          keyGroupRange: this.range(h.keyGroupRange),
          metaStateHandle: this.streamHandle(h.metaStateHandle, pointer),
          sharedState: files(h.sharedState),
          stateHandleId: this.stateHandleId(h.stateHandleId ?? this.random()),
          persistedSizeOfThisCheckpoint: persisted,
          privateState: files(h.privateState),
        });
        return { obj, size, checkpointed: persisted };
      }
      default:
        throw new HaError('Unsupported', `keyed state handle ${h.kind} (changelog state backend)`);
    }
  }

  private streamHandle(h: StreamStateHandle, pointer: string): WObject {
    switch (h.kind) {
      case 'byteStream':
        return this.obj(CLS.byteStreamStateHandle, { handleName: h.name, data: this.bytes(h.data) });
      case 'file':
        return this.fileHandle(h.path, h.size);
      case 'relativeFile':
        return this.obj(CLS.relativeFileStateHandle, { filePath: this.path(`${pointer}/${h.relativePath}`), stateSize: h.size, relativePath: h.relativePath });
      case 'keyGroups':
        return this.keyedHandle(h, pointer).obj;
      default:
        throw new HaError('Unsupported', `stream state handle ${h.kind} (file merging)`);
    }
  }

  private fileHandle(path: string, size: bigint): WObject {
    return this.obj(CLS.fileStateHandle, { filePath: this.path(path), stateSize: size });
  }

  /** A Flink `Path`: its `java.net.URI`, whose string form quotes what a URI path may not hold. */
  private path(p: string): WObject {
    const uri = this.c.desc(CLS.uri);
    return this.obj(CLS.path, { uri: { kind: 'object', classDesc: uri, classData: [{ classDesc: uri, values: [uriString(p)], annotation: [] }] } });
  }

  private range(r: KeyGroupRange): WObject {
    if (r.count <= 0) return (this.emptyRangeObj ??= this.obj(CLS.keyGroupRange, { startKeyGroup: 0, endKeyGroup: -1 }));
    return this.obj(CLS.keyGroupRange, { startKeyGroup: r.start, endKeyGroup: r.start + r.count - 1 });
  }

  private stateHandleId(id: string): WObject {
    return this.obj(CLS.stateHandleId, { keyString: id });
  }

  private uuid(backendId: string): WObject {
    const hex = /^[0-9a-f]{1,8}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,4}-[0-9a-f]{1,12}$/i.test(backendId) ? uuidFromString(backendId) : nameUuid(backendId);
    return this.obj(CLS.uuid, { mostSigBits: BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)), leastSigBits: BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)) });
  }

  // ------------------------------------------------------------------ shared objects and values

  private properties(p: Omit<CheckpointPropertiesView, 'classes'>): WObject {
    const t = p.snapshotType;
    let type: WObject;
    if (t.kind === 'checkpoint') {
      type = this.obj(CLS.checkpointType, { name: t.name, sharingFilesStrategy: this.optionalEnum(CLS.sharingFilesStrategy, t.sharingFilesStrategy) });
    } else if (t.kind === 'savepoint') {
      type = this.obj(CLS.savepointType, {
        name: t.name,
        formatType: this.optionalEnum(CLS.savepointFormatType, t.formatType),
        postCheckpointAction: this.optionalEnum(CLS.postCheckpointAction, t.postCheckpointAction),
      });
    } else throw new HaError('Unsupported', `snapshot type ${t.className}`);
    return this.obj(CLS.checkpointProperties, {
      forced: p.forced,
      checkpointType: type,
      discardSubsumed: p.discardSubsumed,
      discardFinished: p.discardFinished,
      discardCancelled: p.discardCancelled,
      discardFailed: p.discardFailed,
      discardSuspended: p.discardSuspended,
      unclaimed: p.unclaimed,
    });
  }

  private restoredProperties(): WObject | null {
    const o = this.src.overrides;
    const view = o !== undefined && 'restoredProps' in o ? o.restoredProps : this.src.metadata.properties?.view;
    return view ? this.properties(view) : null;
  }

  private optionalEnum(cls: string, constant: string | undefined): WContent {
    return constant === undefined ? null : this.enumConst(cls, constant);
  }

  private enumConst(cls: string, constant: string): WContent {
    const key = `${cls}.${constant}`;
    let e = this.enums.get(key);
    if (e === undefined) this.enums.set(key, (e = { kind: 'enum', classDesc: this.c.desc(cls), constant }));
    return e;
  }

  /** `Integer.valueOf(i)`: one object per value in the cache range (-128…127), a new one otherwise. */
  private integer(i: number): WObject {
    const make = (): WObject => this.obj(CLS.integer, { value: i });
    if (i < -128 || i > 127) return make();
    let v = this.integers.get(i);
    if (v === undefined) this.integers.set(i, (v = make()));
    return v;
  }

  private emptyList(): WObject {
    return (this.emptyListObj ??= this.obj(CLS.emptyList, {}));
  }

  private emptyCollection(): WObject {
    return (this.emptyCollectionObj ??= this.obj(CLS.stateObjectCollection, { stateObjects: this.emptyList() }));
  }

  private noRescale(): WObject {
    return (this.noRescaleObj ??= this.obj(CLS.noRescaling, { gateOrPartitionDescriptors: { kind: 'array', classDesc: this.c.desc(CLS.gateOrPartitionArray), elements: [] } satisfies WArray }));
  }

  private finishedSubtask(): WObject {
    if (this.finishedSubtaskObj) return this.finishedSubtaskObj;
    const values: Obj = { stateSize: 0n, checkpointedSize: 0n, inputRescalingDescriptor: this.noRescale(), outputRescalingDescriptor: this.noRescale() };
    for (const f of this.c.desc(CLS.operatorSubtaskState).fields) if (f.signature?.includes('StateObjectCollection')) values[f.name] = this.emptyCollection();
    return (this.finishedSubtaskObj = this.obj(CLS.finishedOperatorSubtaskState, values));
  }

  private bytes(b: Uint8Array): WArray {
    return { kind: 'array', classDesc: this.c.desc(CLS.bytes), elements: b };
  }

  private longs(v: bigint[]): WArray {
    return { kind: 'array', classDesc: this.c.desc(CLS.longs), elements: v };
  }
}

/** The two longs of an `AbstractID` in its hex form (lower part first). */
function idParts(hex: string): [bigint, bigint] {
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new HaError('InvalidModel', `not a 32-hex-digit id: ${hex}`);
  return [BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)), BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`))];
}

/** `UUID.fromString`: the five groups, each left-padded, as 32 hex digits. */
function uuidFromString(s: string): string {
  const [a, b, c, d, e] = s.split('-') as [string, string, string, string, string];
  return a.padStart(8, '0') + b.padStart(4, '0') + c.padStart(4, '0') + d.padStart(4, '0') + e.padStart(12, '0');
}

/** `UUID.nameUUIDFromBytes(utf8)`: MD5 with version 3 and the IETF variant. */
function nameUuid(s: string): string {
  const md5 = createHash('md5').update(Buffer.from(s, 'utf8')).digest();
  md5[6] = (md5[6]! & 0x0f) | 0x30;
  md5[8] = (md5[8]! & 0x3f) | 0x80;
  return md5.toString('hex');
}

/**
 * `java.net.URI`'s string of a Flink path (`Path.toString()` form), as the multi-argument URI
 * constructor quotes a path: ASCII characters a URI path may not hold, spaces and control
 * characters are percent-encoded as UTF-8; other non-ASCII characters stay.
 */
export function uriString(p: string): string {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:)(\/\/[^/]*)?(.*)$/s.exec(p);
  const [prefix, rest] = m ? [m[1]! + (m[2] ?? ''), m[3]!] : ['', p];
  let out = '';
  for (const ch of rest) {
    const code = ch.codePointAt(0)!;
    const keep = code < 0x80 ? /[A-Za-z0-9_\-!.~'()*,;:$&+=/@]/.test(ch) : !/[\p{Cc}\p{Zs}\p{Zl}\p{Zp}]/u.test(ch);
    if (keep) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return prefix + out;
}
