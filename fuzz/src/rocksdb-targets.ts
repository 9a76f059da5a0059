/**
 * The @ckpt/rocksdb targets: `sst` (SstTable.open + every entry, checksums verified) and
 * `manifest` (the log records and every VersionEdit replayed into the live files). Seeds are small DBs written at run time by RocksDB's own `ldb`
 * (Debian rocksdb-tools, installed by .ci/run; the generator of packages/rocksdb's oracle tests),
 * never files copied from the corpus. Without ldb the targets start from an empty corpus.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BytesSource, readManifest, SstTable, tableEntries } from '@ckpt/rocksdb';
import { ldbDb, LDB_CONFIGS, TOOLS } from '../../packages/rocksdb/test/oracle/rocksdb-tools.js';
import type { Target } from './targets.js';

/** Seeds stay small so libFuzzer's mutations reach every structure. */
const MAX_SEED_BYTES = 16 * 1024;
/** Blocks of the seeds are < 4 KiB; a damaged size may not make a decoder allocate more. */
const MAX_BLOCK_BYTES = 1024 * 1024;

let dbFiles: Map<string, Uint8Array> | undefined;

/**
 * Every file (name → bytes) of small DBs that ldb writes with each table configuration of the
 * oracle tests (all compressions, checksums, format versions 0-5, partitioned and first-key
 * indexes): SSTs, MANIFEST-*, CURRENT, OPTIONS-*. Written once per process into a temp dir.
 */
export function generatedDbFiles(): Map<string, Uint8Array> {
  if (dbFiles !== undefined) return dbFiles;
  dbFiles = new Map();
  if (!TOOLS) return dbFiles;
  const root = mkdtempSync(join(tmpdir(), 'ckpt-fuzz-rocksdb-'));
  try {
    for (const [name, cfg] of Object.entries(LDB_CONFIGS)) {
      if (cfg.expectError !== undefined) continue;
      const db = ldbDb(root, name, cfg, { n: 24, bigValues: false, cfs: cfg.cfs?.slice(0, 1) });
      for (const f of readdirSync(db.dir)) {
        const path = join(db.dir, f);
        if (statSync(path).isFile() && statSync(path).size <= MAX_SEED_BYTES) dbFiles.set(`${name}/${f}`, new Uint8Array(readFileSync(path)));
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return dbFiles;
}

const filesNamed = (test: (name: string) => boolean) => [...generatedDbFiles()].filter(([n]) => test(n.slice(n.lastIndexOf('/') + 1))).map(([, b]) => b);

export const ROCKSDB_TARGETS: Target[] = [
  {
    name: 'sst',
    typed: 'RocksError',
    seeds: () => filesNamed((f) => f.endsWith('.sst')),
    run: async (bytes) => {
      const table = await SstTable.open(new BytesSource(bytes, 'fuzz.sst'), { maxBlockBytes: MAX_BLOCK_BYTES });
      for await (const _ of tableEntries(table));
    },
  },
  {
    name: 'manifest',
    typed: 'RocksError',
    seeds: () => filesNamed((f) => f.startsWith('MANIFEST-')),
    run: async (bytes) => {
      await readManifest(new BytesSource(bytes, 'fuzz/MANIFEST-000001'), { keepEdits: true });
    },
  },
];
