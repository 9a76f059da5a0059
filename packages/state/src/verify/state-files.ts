import { CkptError, mapLimit, type CheckpointMetadata, type IncrementalKeyedHandle, type KeyedStateHandle, type OperatorStateHandle } from '@ckpt/format';
import { streamLabel } from '@ckpt/restore';
import { verifyTable } from '@ckpt/rocksdb';
import { StateError } from '../errors.js';
import type { HandleResolver } from '../io/resolve.js';
import type { ByteSource } from '../io/source.js';
import { KeyedStateFile } from '../keyed/keyed-state.js';
import { OperatorStateFile } from '../operator/operator-state.js';
import { nativeFiles, readNativeSnapshot } from '../rocksdb/native.js';
import { checkedSize, liveFileProblems, readSnapshotManifest } from '../rocksdb/snapshot-files.js';
import { handleChanges } from '../changelog/changes.js';
import { SnappyFraming } from '../snappy/framing.js';

/** One problem found inside a state file. */
export interface StateFileProblem {
  /** The error's code: RocksDB's (`BadChecksum`, `Truncated`, `BadRecord`, …) or the state reader's (`MissingFile`, `SizeMismatch`, `BadKeyGroup`, …). */
  code: string;
  /** What was expected and what was found. */
  message: string;
  /** The file (URI or path) the problem is in. */
  file: string;
  /** Byte offset in that file, where known. */
  offset?: number;
  /** The handle in the model, e.g. `operators[1].subtasks[0].managedKeyedState`. */
  path: string;
  /** For a file of a RocksDB snapshot: its name in the DB directory (`000123.sst`, `MANIFEST-000005`). */
  localPath?: string;
}

export interface StateFilesReport {
  /** Checks run: one per SST, per snapshot's MANIFEST, per meta file, per key-group or operator state file. */
  checks: number;
  problems: StateFileProblem[];
}

export interface VerifyStateFilesOptions {
  /** Files read at the same time (default 4). */
  jobs?: number;
  /** Called after each check (a `@ckpt/storage` progress listener fits). */
  onProgress?: (e: { unit: string; done: number; total?: number; item?: string }) => void;
}

/** One unit of work: reads one file (or a snapshot's CURRENT + MANIFEST) and returns what is wrong. */
interface Check {
  path: string;
  item: string;
  run(): Promise<readonly unknown[]>;
}

/** `localPaths`: the names of RocksDB snapshot files in their DB directory, by source name. */
function problemOf(e: unknown, c: Check, localPaths: ReadonlyMap<string, string>): StateFileProblem {
  const file = e instanceof CkptError ? (e.file ?? c.item) : c.item;
  const localPath = localPaths.get(file);
  const where = { path: c.path, ...(localPath === undefined ? {} : { localPath }) };
  if (e instanceof CkptError) return { code: e.code, message: e.detail, file, ...(e.offset === undefined ? {} : { offset: e.offset }), ...where };
  return { code: 'Unreadable', message: e instanceof Error ? e.message : String(e), file: c.item, ...where };
}

/** Offsets (of raw state, whose content is user code's) that lie past the end of the file. */
async function offsetsInside(src: ByteSource, offsets: readonly bigint[]): Promise<StateError[]> {
  const size = await src.size();
  return offsets
    .filter((o) => Number(o) > size)
    .map((o) => new StateError('Truncated', `offset ${o} is past the end of the file (${size} bytes)`, { file: src.name, offset: size }));
}

/** Builds the checks of every state handle of a checkpoint; SSTs shared by several handles once. */
class CheckList {
  readonly checks: Check[] = [];
  readonly localPaths = new Map<string, string>();
  private readonly ssts = new Set<string>();

  constructor(
    private readonly resolver: Pick<HandleResolver, 'resolve'>,
    private readonly framing: SnappyFraming,
  ) {}

  private add(path: string, item: string, run: () => Promise<readonly unknown[]>): void {
    this.checks.push({ path, item, run });
  }

  keyed(h: KeyedStateHandle | null, path: string, managed: boolean, maxParallelism: number): void {
    if (h === null) return;
    switch (h.kind) {
      case 'incremental':
        this.native(h, path);
        return;
      case 'keyGroups':
      case 'savepointKeyGroups': {
        const src = () => this.resolver.resolve(h);
        const name = streamLabel(h.delegate);
        if (!managed) {
          this.add(path, name, () => offsetsInside(src(), h.offsets));
          return;
        }
        this.add(path, name, async () => (await KeyedStateFile.open(h, src(), { maxParallelism, framing: this.framing })).checkKeyGroupStarts());
        return;
      }
      case 'changelog':
        h.materialized.forEach((m, k) => this.keyed(m, `${path}.materialized[${k}]`, managed, maxParallelism));
        h.nonMaterialized.forEach((m, k) => this.keyed(m, `${path}.nonMaterialized[${k}]`, managed, maxParallelism));
        return;
      case 'changelogFile':
      case 'inMemoryChangelog': {
        // the state-change log: every change set parses (file flag, Snappy framing, group and record lengths)
        const item = h.kind === 'changelogFile' ? [...new Set(h.segments.map((g) => streamLabel(g.handle)))].join(', ') : '<in-memory changelog>';
        this.add(path, item, async () => {
          for await (const _set of handleChanges(h, this.resolver));
          return [];
        });
        return;
      }
    }
  }

  operator(h: OperatorStateHandle | null, path: string, managed: boolean): void {
    if (h === null) return;
    const src = () => this.resolver.resolve(h.delegate);
    const offsets = h.states.flatMap((s) => s.offsets);
    this.add(path, streamLabel(h.delegate), async () => {
      // A file-merging placeholder (isEmpty) names states but holds no bytes.
      const placeholder = h.kind === 'fileMergingOperatorStream' && h.isEmpty;
      const file = src();
      if (managed && !placeholder) await OperatorStateFile.open(h, file, { framing: this.framing });
      return offsetsInside(file, offsets);
    });
  }

  /** A RocksDB / ForSt snapshot: the meta file, CURRENT → MANIFEST → live tables, every SST's blocks. */
  private native(h: IncrementalKeyedHandle, path: string): void {
    const files = nativeFiles(h);
    for (const f of files) {
      try {
        this.localPaths.set(this.resolver.resolve(f.handle).name, f.localPath);
      } catch {
        // reported by the check that opens it
      }
    }
    this.add(`${path}.metaStateHandle`, streamLabel(h.metaStateHandle), async () => {
      await readNativeSnapshot(h, this.resolver);
      return [];
    });
    const current = files.find((f) => f.kind === 'current') ?? files.find((f) => f.kind === 'manifest');
    if (current !== undefined) {
      this.add(path, streamLabel(current.handle), async () => {
        const m = await readSnapshotManifest(files, (x) => this.resolver.resolve(x));
        return m === undefined ? [] : liveFileProblems(m, files);
      });
    }
    for (const f of files) {
      if (f.kind !== 'sst') continue;
      const name = streamLabel(f.handle);
      if (this.ssts.has(name)) continue;
      this.ssts.add(name);
      this.add(path, name, async () => {
        const src = this.resolver.resolve(f.handle);
        const sized = await checkedSize(f, src).then(() => [], (e: unknown) => [e]);
        if (sized.some((e) => e instanceof StateError && e.code === 'MissingFile')) return sized;
        return [...sized, ...(await verifyTable(src)).problems];
      });
    }
  }
}

/**
 * Reads and checks the contents of every state file a checkpoint references — `ckpt verify
 * --deep`: for RocksDB / ForSt native and incremental handles every block checksum of every SST,
 * every MANIFEST record, CURRENT naming a MANIFEST the handle has, every live SST of that MANIFEST
 * among the handle's files with its size, the Flink meta file; for key-group (heap / canonical)
 * and operator state handles the state header and the offsets, and where each key group starts.
 * Every problem is reported (file, byte offset, handle path) and the walk goes on; at most `jobs`
 * files are read at once. The report's order does not depend on `jobs`.
 */
export async function verifyStateFiles(
  metadata: CheckpointMetadata,
  resolver: Pick<HandleResolver, 'resolve'>,
  opts: VerifyStateFilesOptions = {},
): Promise<StateFilesReport> {
  const list = new CheckList(resolver, await SnappyFraming.create());
  metadata.operators.forEach((op, i) => {
    for (const [j, s] of op.subtasks.entries()) {
      const at = `operators[${i}].subtasks[${j}]`;
      list.keyed(s.managedKeyedState, `${at}.managedKeyedState`, true, op.maxParallelism);
      list.keyed(s.rawKeyedState, `${at}.rawKeyedState`, false, op.maxParallelism);
      list.operator(s.managedOperatorState, `${at}.managedOperatorState`, true);
      list.operator(s.rawOperatorState, `${at}.rawOperatorState`, false);
    }
  });
  const { checks } = list;
  let done = 0;
  const found = await mapLimit(checks, Math.max(1, opts.jobs ?? 4), async (c) => {
    let problems: readonly unknown[];
    try {
      problems = await c.run();
    } catch (e) {
      if (e instanceof CkptError && e.code === 'Aborted') throw e;
      problems = [e];
    }
    opts.onProgress?.({ unit: 'files', done: ++done, total: checks.length, item: c.item });
    return problems.map((e) => problemOf(e, c, list.localPaths));
  });
  return { checks: checks.length, problems: found.flat() };
}
