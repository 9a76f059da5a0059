import { keyGroupRange } from '@ckpt/restore';
import { StateError } from '../errors.js';
import type { KeyGroupEntries, RawKeyedEntry } from '../keyed/canonical-stream.js';
import { byStateId, mergeKeyedHeaders, mover, type MergedHeader, type RawKeyedSource } from './move-entries.js';

/** One new subtask's key groups, produced as they are read: consume the subtasks in order. */
export interface StreamedSubtask {
  index: number;
  start: number;
  count: number;
  /** Its key groups with data, ascending; each ordered as {@link moveEntries} orders it. */
  keyGroups: AsyncIterable<KeyGroupEntries>;
  /** Counted while {@link keyGroups} is consumed. */
  readonly stats: { entries: number; keyGroupsWithData: number };
}

export interface StreamedEntries {
  header: MergedHeader;
  subtasks: StreamedSubtask[];
  /** Closes the old files' readers (after the subtasks are consumed, or on failure). */
  close(): Promise<void>;
}

/** One old file read once, front to back, handing out its key groups in ascending order. */
class SourceCursor {
  private readonly it: AsyncIterator<{ keyGroup: number; entries: RawKeyedEntry[] }>;
  private readonly move: ReturnType<typeof mover>;
  private head: { keyGroup: number; entries: RawKeyedEntry[] } | undefined;
  private done = false;

  constructor(
    private readonly src: RawKeyedSource,
    idMap: readonly number[],
    maxParallelism: number,
    private readonly wanted: Uint8Array,
  ) {
    this.it = src.keyGroups[Symbol.asyncIterator]();
    this.move = mover(src, idMap, maxParallelism);
  }

  /** Appends the pairs of key group `kg` to `out`; key groups are asked for in ascending order. */
  async take(kg: number, out: RawKeyedEntry[]): Promise<void> {
    for (;;) {
      if (this.head === undefined) {
        if (this.done) return;
        const r = await this.it.next();
        if (r.done) {
          this.done = true;
          return;
        }
        this.head = r.value;
      }
      const h = this.head;
      if (h.keyGroup > kg) return;
      this.head = undefined;
      if (h.keyGroup < kg) {
        if (this.wanted[h.keyGroup] !== 1) continue; // a key group no new subtask asked for
        throw new StateError('BadKeyGroup', `${this.src.name}: key group ${h.keyGroup} comes after key group ${kg}`, { file: this.src.name });
      }
      for (const e of h.entries) {
        const own = this.move.keyGroup(e);
        if (own !== kg) {
          throw new StateError('BadKeyGroup', `${this.src.name}: key group ${kg} holds a key of key group ${own}`, { file: this.src.name, offset: e.keyAt });
        }
        out.push(this.move.entry(e));
      }
    }
  }

  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
    this.done = true;
  }
}

/**
 * The new subtasks `only` (ascending; all when undefined) with their key-group ranges, and which
 * key groups they own (`wanted[kg] === 1`).
 */
export function newSubtasks(maxParallelism: number, parallelism: number, only: readonly number[] | undefined): { ranges: { index: number; start: number; count: number }[]; wanted: Uint8Array } {
  const indices = only ?? Array.from({ length: parallelism }, (_, i) => i);
  if (indices.some((x, i) => i > 0 && x <= indices[i - 1]!)) throw new StateError('BadValue', `new subtasks ${indices.join(',')} are not ascending`);
  const ranges = indices.map((index) => ({ index, ...keyGroupRange(maxParallelism, parallelism, index) }));
  const wanted = new Uint8Array(maxParallelism);
  for (const r of ranges) wanted.fill(1, r.start, r.start + r.count);
  return { ranges, wanted };
}

/**
 * What {@link moveEntries} gives when the max parallelism stays the same (each key stays in its
 * key group), without holding the state: the new subtasks' key groups are produced one at a time,
 * ascending, each gathered from the old files that hold it. Each old file is read once, front to
 * back, so its key groups must come in ascending order, and each key must be in the key group its
 * hash gives (else `BadKeyGroup`). `only` (ascending) picks the new subtasks, as for moveEntries.
 */
export function streamEntries(sources: readonly RawKeyedSource[], maxParallelism: number, parallelism: number, only?: readonly number[]): StreamedEntries {
  const header = mergeKeyedHeaders(sources);
  const { ranges, wanted } = newSubtasks(maxParallelism, parallelism, only);
  const cursors = sources.map((src, i) => new SourceCursor(src, header.idMaps[i]!, maxParallelism, wanted));
  const subtasks = ranges.map(({ index, start, count }): StreamedSubtask => {
    const stats = { entries: 0, keyGroupsWithData: 0 };
    async function* keyGroups(): AsyncGenerator<KeyGroupEntries> {
      for (let kg = start; kg < start + count; kg++) {
        const out: RawKeyedEntry[] = [];
        for (const c of cursors) await c.take(kg, out);
        if (out.length === 0) continue;
        stats.entries += out.length;
        stats.keyGroupsWithData++;
        yield { keyGroup: kg, entries: byStateId(out) };
      }
    }
    return { index, start, count, keyGroups: keyGroups(), stats };
  });
  return {
    header,
    subtasks,
    close: async () => {
      for (const c of cursors) await c.close();
    },
  };
}
