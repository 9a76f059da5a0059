import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyGroupEntries } from '../keyed/canonical-stream.js';
import { mergeKeyedHeaders, mover, type RawKeyedSource } from '../rekey/move-entries.js';
import { groupByKeyGroup, mergeRuns, RunBuffer, RunReader } from '../rekey/sorted-runs.js';
import { newSubtasks, type StreamedEntries, type StreamedSubtask } from '../rekey/stream-entries.js';

export interface SpillOptions {
  /** Memory for pairs before they are spilled to a sorted run on disk (default 256 MiB). */
  memoryBytes?: number;
  /** Where the runs go (a fresh directory below it, removed by `close`; default the OS temp directory). */
  tmpDir?: string;
}

export const DEFAULT_SPILL_MEMORY = 256 * 1024 * 1024;

/**
 * What `moveEntries` gives for a new max parallelism, in bounded memory: every pair of the old
 * files is moved into its new key group and gathered up to `memoryBytes`; more than that is
 * sorted into runs on disk, merged back while the new files are written (an external merge
 * sort). The order is `moveEntries`' (key group, merged state id, reading order), so the output is
 * the same bytes whatever the budget. The old files are read once, when the first subtask's key
 * groups are asked for; consume the subtasks in order, then `close` (also on failure).
 */
export function spillEntries(sources: readonly RawKeyedSource[], maxParallelism: number, parallelism: number, only: readonly number[] | undefined, opts: SpillOptions = {}): StreamedEntries {
  const header = mergeKeyedHeaders(sources);
  const budget = opts.memoryBytes ?? DEFAULT_SPILL_MEMORY;
  const { ranges, wanted } = newSubtasks(maxParallelism, parallelism, only);

  const buffer = new RunBuffer();
  const runs: string[] = [];
  const readers: RunReader[] = [];
  let dir: string | undefined;

  const spill = async (): Promise<void> => {
    dir ??= await mkdtemp(join(opts.tmpDir ?? tmpdir(), 'ckpt-rekey-'));
    const file = join(dir, `run-${runs.length}`);
    await writeFile(file, buffer.run());
    runs.push(file);
    buffer.clear();
  };

  /** Reads every old file once; the new key groups in order. */
  const gather = async (): Promise<AsyncIterator<KeyGroupEntries>> => {
    for (const [i, src] of sources.entries()) {
      const move = mover(src, header.idMaps[i]!, maxParallelism);
      const idMap = header.idMaps[i]!;
      for await (const { entries } of src.keyGroups) {
        for (const e of entries) {
          const kg = move.keyGroup(e);
          if (wanted[kg] !== 1) continue;
          buffer.add(kg, idMap[e.stateId]!, e.key, e.value);
          if (buffer.bytes >= budget) await spill();
        }
      }
    }
    // everything fit: sorted in memory, no file written
    if (runs.length === 0) return (async function* () {
      yield* buffer.groups();
    })();
    if (buffer.count > 0) await spill();
    for (const [rank, file] of runs.entries()) readers.push(new RunReader(createReadStream(file, { highWaterMark: 1024 * 1024 }), rank, file));
    return groupByKeyGroup(mergeRuns(readers));
  };

  let merged: Promise<AsyncIterator<KeyGroupEntries>> | undefined;
  let pending: KeyGroupEntries | undefined;
  const subtasks = ranges.map(({ index, start, count }): StreamedSubtask => {
    const stats = { entries: 0, keyGroupsWithData: 0 };
    async function* keyGroups(): AsyncGenerator<KeyGroupEntries> {
      const it = await (merged ??= gather());
      for (;;) {
        if (pending === undefined) {
          const r = await it.next();
          if (r.done) return;
          pending = r.value;
        }
        // a key group of a later subtask: left for it
        if (pending.keyGroup >= start + count) return;
        const g = pending;
        pending = undefined;
        stats.entries += g.entries.length;
        stats.keyGroupsWithData++;
        yield g;
      }
    }
    return { index, start, count, keyGroups: keyGroups(), stats };
  });
  return {
    header,
    subtasks,
    close: async () => {
      for (const r of readers) await r.close();
      buffer.clear();
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}
