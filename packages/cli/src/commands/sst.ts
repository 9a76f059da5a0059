import {
  SstTable,
  tableEntries,
  toHex,
  verifyTable,
  type InternalEntry,
  type TableCheck,
  type TableProperties,
} from '@ckpt/rocksdb';
import type { ByteSource } from '@ckpt/format';
import { StorageSource, Storages } from '@ckpt/storage';
import { toUri } from './relocate.js';

/** Runs `fn` on `targets` (local paths or any storage URIs) opened for ranged reads, named as given. */
async function withSources<T>(targets: string[], fn: (srcs: ByteSource[]) => Promise<T>): Promise<T> {
  const storages = new Storages();
  try {
    return await fn(targets.map((t) => new StorageSource(storages, toUri(t), { name: t })));
  } finally {
    await storages.close();
  }
}

export interface SstPropsOptions {
  json?: boolean;
}

/** Table facts that are not properties: from the footer. */
function tableFacts(t: SstTable): Record<string, string | number> {
  return {
    file: t.name,
    size: t.size,
    formatVersion: t.formatVersion,
    checksum: t.checksumType,
    index: ['binary search', 'hash', 'two-level (partitioned)', 'binary search with first key'][t.properties.indexType ?? 0] ?? String(t.properties.indexType),
    metaBlocks: [...t.metaindex.keys()].join(', '),
  };
}

function jsonValue(v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** `ckpt sst props <file>`: the footer facts and the table properties. */
export async function sstProps(file: string, opts: SstPropsOptions, out: (s: string) => void): Promise<number> {
  await withSources([file], async ([src]) => {
    const t = await SstTable.open(src!);
    const facts = tableFacts(t);
    const { user, ...props } = t.properties;
    if (opts.json) {
      out(JSON.stringify({ ...facts, properties: props, userProperties: user }, (_k, v: unknown) => jsonValue(v), 2));
      return;
    }
    const section = (title: string, rows: Array<[string, string]>) => {
      out(title);
      const w = Math.max(...rows.map(([k]) => k.length));
      for (const [k, v] of rows) out(`  ${k.padEnd(w)}  ${v}`);
    };
    section('table', Object.entries(facts).map(([k, v]) => [k, String(v)]));
    section('properties', [
      ...Object.entries(props as Omit<TableProperties, 'user'>).map(([k, v]): [string, string] => [k, String(v)]),
      ...Object.entries(user),
    ]);
  });
  return 0;
}

export interface SstScanOptions {
  json?: boolean;
  /** Stop after this many entries. */
  limit?: number;
}

function entryJson(e: InternalEntry): string {
  return JSON.stringify({ key: toHex(e.key), seq: e.seq.toString(), type: e.type, value: toHex(e.value) });
}

/**
 * `ckpt sst scan <file>`: every internal entry in file order — the data blocks' entries, then the
 * range tombstones (key = start, value = end).
 */
export async function sstScan(file: string, opts: SstScanOptions, out: (s: string) => void): Promise<number> {
  const limit = opts.limit ?? Infinity;
  await withSources([file], async ([src]) => {
    const t = await SstTable.open(src!);
    let n = 0;
    for await (const e of tableEntries(t)) {
      if (n++ >= limit) break;
      out(opts.json ? entryJson(e) : `${toHex(e.key)} @${e.seq} ${e.type} => ${toHex(e.value)}`);
    }
  });
  return 0;
}

export interface SstVerifyOptions {
  json?: boolean;
}

/** `ckpt sst verify <file…>`: every block checksum and the entry counts; exit 4 when any file is broken. */
export async function sstVerify(files: string[], opts: SstVerifyOptions, out: (s: string) => void): Promise<number> {
  const checks: TableCheck[] = [];
  await withSources(files, async (srcs) => {
    for (const src of srcs) checks.push(await verifyTable(src));
  });
  if (opts.json) {
    out(
      JSON.stringify(
        checks.map((c) => ({
          ...c,
          ok: c.problems.length === 0,
          problems: c.problems.map((p) => ({ code: p.code, message: p.detail, file: p.file, offset: p.offset })),
        })),
        null,
        2,
      ),
    );
  } else {
    for (const c of checks) {
      const n = Object.values(c.entries).reduce((a, b) => a + b, 0);
      out(`${c.problems.length === 0 ? 'OK' : 'BROKEN'}: ${c.file} (${c.blocks} blocks checked, ${c.dataBlocks} data blocks, ${n} entries)`);
      for (const p of c.problems) out(`  ${p.message}`);
    }
  }
  return checks.every((c) => c.problems.length === 0) ? 0 : 4;
}
