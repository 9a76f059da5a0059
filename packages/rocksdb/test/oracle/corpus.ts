/**
 * The real SST files of the shared Flink corpus and the repo's fixtures. Flink names the shared
 * files of incremental checkpoints and native savepoints by UUID, so a file is an SST when it ends
 * with a block-based table magic number, whatever its name.
 */
import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPUS_DIR = '/work/shared/fixtures/flink-corpus';
export const GENERATED_DIR = fileURLToPath(new URL('../../../../fixtures/generated', import.meta.url));

/** Block-based (`0x88e241b785f4cff7`) and legacy (`0xdb4775248b80fb57`) magic, as stored (LE). */
const MAGICS = ['f7cff485b741e288', '57fb808b247547db'];

function endsWithMagic(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size < 48) return false;
    const tail = Buffer.alloc(8);
    readSync(fd, tail, 0, 8, size - 8);
    return MAGICS.includes(tail.toString('hex'));
  } finally {
    closeSync(fd);
  }
}

/** Every SST under `root` (sorted paths); [] when `root` does not exist. */
export function findSsts(root: string): string[] {
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (e.name.endsWith('.sst') || endsWithMagic(p))) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

/** Entries of one table by type. */
export type TypeCounts = Record<'put' | 'delete' | 'singleDelete' | 'merge' | 'rangeDelete', number>;

export function emptyCounts(): TypeCounts {
  return { put: 0, delete: 0, singleDelete: 0, merge: 0, rangeDelete: 0 };
}

/**
 * The property counts RocksDB writes for these entries (BlockBasedTableBuilder::Add, the same in
 * 6.20, 7.8 and 8.10): every entry counts in `num.entries`, range deletions included; deletes,
 * single deletes and range deletions in `deleted.keys`; range deletions also in `num.range-deletions`.
 */
export function countsAsProperties(c: TypeCounts): { numEntries: number; numDeletions: number; numMergeOperands: number; numRangeDeletions: number } {
  return {
    numEntries: c.put + c.delete + c.singleDelete + c.merge + c.rangeDelete,
    numDeletions: c.delete + c.singleDelete + c.rangeDelete,
    numMergeOperands: c.merge,
    numRangeDeletions: c.rangeDelete,
  };
}
