import { compareBytes } from '../coding.js';
import { RocksError } from '../errors.js';
import type { RangedSource } from '../source.js';
import type { FileMetaData } from './file-meta.js';
import { LogReader, type LogReaderOptions } from './log-reader.js';
import { decodeVersionEdit, type VersionEdit } from './version-edit.js';

/** A table file live in the version RocksDB opens. */
export type LiveFile = FileMetaData;

export interface ColumnFamily {
  id: number;
  name: string;
  /** The comparator recorded for this column family, when recorded. */
  comparator?: string;
  logNumber: number;
  /** Live files, sorted by level, then smallest internal key, then file number. */
  files: LiveFile[];
}

/** The state a MANIFEST describes once its edits are replayed, as RocksDB opens it. */
export interface Manifest {
  /** The comparator of the default column family (every CF's own is in `columnFamilies`). */
  comparator: string | undefined;
  dbId?: string;
  logNumber: number;
  prevLogNumber: number;
  /**
   * The next file number recorded in the MANIFEST. RocksDB reserves it for its next MANIFEST and
   * starts new files at this + 1 (that is what `ldb manifest_dump` prints as next_file_number).
   */
  nextFileNumber: number;
  lastSequence: bigint;
  minLogNumberToKeep: number;
  maxColumnFamily: number;
  /** Live column families by id (dropped ones removed). */
  columnFamilies: ColumnFamily[];
  /** Number of edits applied. */
  editCount: number;
  /** Edits of an atomic group still incomplete at the end of the log: discarded, as RocksDB does. */
  discardedEdits: number;
  /** Every decoded edit in file order (only with `keepEdits`). */
  edits?: VersionEdit[];
}

export interface ReadManifestOptions extends LogReaderOptions {
  /** Keep every decoded VersionEdit in `Manifest.edits`. */
  keepEdits?: boolean;
}

/** The 6-digit zero-padded file name of a table file: `000123.sst`. */
export function sstFileName(number: number): string {
  return `${String(number).padStart(6, '0')}.sst`;
}

interface CfState {
  id: number;
  name: string;
  comparator?: string;
  logNumber: number;
  files: Map<number, LiveFile>;
}

function compareFiles(a: LiveFile, b: LiveFile): number {
  if (a.level !== b.level) return a.level - b.level;
  const c = compareBytes(a.smallest.userKey, b.smallest.userKey);
  if (c !== 0) return c;
  if (a.smallest.seq !== b.smallest.seq) return a.smallest.seq > b.smallest.seq ? -1 : 1;
  return a.number - b.number;
}

/**
 * Replays VersionEdits in order into the version RocksDB opens (db/version_edit_handler.cc):
 * column families created and dropped, live files per column family, the DB-wide counters.
 */
export class VersionSetBuilder {
  private readonly cfs = new Map<number, CfState>([[0, { id: 0, name: 'default', logNumber: 0, files: new Map() }]]);
  private logNumber: number | undefined;
  private prevLogNumber = 0;
  private nextFileNumber: number | undefined;
  private lastSequence: bigint | undefined;
  private minLogNumberToKeep = 0;
  private maxColumnFamily = 0;
  private dbId: string | undefined;
  private group: VersionEdit[] = [];
  private groupSize = 0;
  private applied = 0;

  constructor(readonly file?: string) {}

  private fail(detail: string, e: VersionEdit): RocksError {
    return new RocksError('BadRecord', detail, { file: this.file, offset: e.offset });
  }

  /** Adds the next edit; edits of an atomic group are applied when the group is complete. */
  add(e: VersionEdit): void {
    if (e.atomicGroupRemaining !== undefined) {
      if (this.group.length === 0) this.groupSize = e.atomicGroupRemaining + 1;
      if (this.group.length + 1 + e.atomicGroupRemaining !== this.groupSize) {
        throw this.fail(`corrupted atomic group: ${e.atomicGroupRemaining} edits announced after edit ${this.group.length + 1} of ${this.groupSize}`, e);
      }
      this.group.push(e);
      if (this.group.length === this.groupSize) {
        for (const g of this.group) this.apply(g);
        this.group = [];
      }
      return;
    }
    if (this.group.length > 0) throw this.fail('corrupted atomic group: a normal edit inside an atomic group', e);
    this.apply(e);
  }

  private apply(e: VersionEdit): void {
    this.applied++;
    let cf: CfState | undefined;
    if (e.columnFamilyAdd !== undefined) {
      if (this.cfs.has(e.columnFamily)) throw this.fail(`column family ${e.columnFamily} is added twice`, e);
      cf = { id: e.columnFamily, name: e.columnFamilyAdd, logNumber: 0, files: new Map() };
      this.cfs.set(cf.id, cf);
    } else if (e.columnFamilyDrop) {
      cf = this.cfs.get(e.columnFamily);
      if (!cf) throw this.fail(`dropping column family ${e.columnFamily}, which does not exist`, e);
      this.cfs.delete(e.columnFamily);
    } else if (e.walAdditions.length === 0 && e.walDeletion === undefined) {
      cf = this.cfs.get(e.columnFamily);
      if (!cf) throw this.fail(`edit of unknown column family ${e.columnFamily}`, e);
      this.applyFiles(cf, e);
    }
    if (e.dbId !== undefined) this.dbId = e.dbId;
    if (cf) {
      // RocksDB ignores (with a warning) a log number going backwards for a column family.
      if (e.logNumber !== undefined && e.logNumber >= cf.logNumber) {
        cf.logNumber = e.logNumber;
        this.logNumber = e.logNumber;
      }
      if (e.comparator !== undefined) cf.comparator = e.comparator;
    }
    if (e.prevLogNumber !== undefined) this.prevLogNumber = e.prevLogNumber;
    if (e.nextFileNumber !== undefined) this.nextFileNumber = e.nextFileNumber;
    if (e.maxColumnFamily !== undefined) this.maxColumnFamily = e.maxColumnFamily;
    if (e.minLogNumberToKeep !== undefined) this.minLogNumberToKeep = Math.max(this.minLogNumberToKeep, e.minLogNumberToKeep);
    if (e.lastSequence !== undefined) this.lastSequence = e.lastSequence;
  }

  /** Deletions first, then additions (a trivial move deletes and re-adds a file in one edit). */
  private applyFiles(cf: CfState, e: VersionEdit): void {
    for (const d of e.deletedFiles) {
      const f = cf.files.get(d.number);
      if (!f || f.level !== d.level) {
        throw this.fail(`cannot delete table file #${d.number} from level ${d.level} of column family "${cf.name}": it is not there`, e);
      }
      cf.files.delete(d.number);
    }
    for (const f of e.newFiles) {
      const old = cf.files.get(f.number);
      if (old) throw this.fail(`cannot add table file #${f.number} to level ${f.level}: it is already on level ${old.level}`, e);
      cf.files.set(f.number, f);
    }
  }

  /**
   * The version after every complete edit; a MANIFEST must have recorded the three counters.
   * `end` (the log's size) is the offset named when one is missing.
   */
  finish(end?: number): Manifest {
    const missing = [
      this.logNumber === undefined ? 'log number' : '',
      this.nextFileNumber === undefined ? 'next file number' : '',
      this.lastSequence === undefined ? 'last sequence' : '',
    ].filter((s) => s !== '');
    if (missing.length > 0) {
      throw new RocksError('BadRecord', `no ${missing.join(', ')} entry in the MANIFEST`, { file: this.file, offset: end });
    }
    const columnFamilies = [...this.cfs.values()]
      .sort((a, b) => a.id - b.id)
      .map((cf) => ({
        id: cf.id,
        name: cf.name,
        ...(cf.comparator === undefined ? {} : { comparator: cf.comparator }),
        logNumber: cf.logNumber,
        files: [...cf.files.values()].sort(compareFiles),
      }));
    return {
      comparator: this.cfs.get(0)?.comparator ?? columnFamilies[0]?.comparator,
      ...(this.dbId === undefined ? {} : { dbId: this.dbId }),
      logNumber: this.logNumber!,
      prevLogNumber: this.prevLogNumber,
      nextFileNumber: this.nextFileNumber!,
      lastSequence: this.lastSequence!,
      minLogNumberToKeep: this.minLogNumberToKeep,
      maxColumnFamily: this.maxColumnFamily,
      columnFamilies,
      editCount: this.applied,
      discardedEdits: this.group.length,
    };
  }
}

/** Reads a MANIFEST: every record is decoded and replayed (see {@link VersionSetBuilder}). */
export async function readManifest(source: RangedSource, options: ReadManifestOptions = {}): Promise<Manifest> {
  const builder = new VersionSetBuilder(source.name);
  const edits: VersionEdit[] | undefined = options.keepEdits ? [] : undefined;
  for await (const rec of new LogReader(source, options).records()) {
    const edit = decodeVersionEdit(rec.data, source.name, rec.offset, rec.dataOffset);
    edits?.push(edit);
    builder.add(edit);
  }
  const m = builder.finish(await source.size());
  return edits ? { ...m, edits } : m;
}
