// Open every SST of a RocksDB directory (or a Flink native savepoint / checkpoint folder, whose
// SSTs are named by UUID), group them by column family and print what RocksDB's iterator would
// show per column family: live keys after versions, deletions, range tombstones and merges.
//   pnpm build && node packages/rocksdb/examples/column-families.mjs fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BytesSource, groupByColumnFamily, LsmView, SstTable, RocksError, toHex } from '@ckpt/rocksdb';

const dir = process.argv[2] ?? new URL('../../../fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint', import.meta.url).pathname;
const tables = [];
for (const name of readdirSync(dir)) {
  const path = join(dir, name);
  if (!statSync(path).isFile()) continue;
  try {
    tables.push(await SstTable.open(new BytesSource(new Uint8Array(readFileSync(path)), path)));
  } catch (e) {
    if (!(e instanceof RocksError && e.code === 'BadMagic') && !(e instanceof RocksError && e.code === 'Truncated')) throw e;
    // not an SST (MANIFEST, CURRENT, OPTIONS, Flink's meta file, _metadata)
  }
}
for (const [cf, list] of groupByColumnFamily(tables)) {
  let n = 0;
  const first = [];
  for await (const { key, value } of new LsmView(list).scan()) {
    if (n++ < 3) first.push(`${toHex(key)} => ${toHex(value).slice(0, 40)}`);
  }
  console.log(`${cf ?? '(unnamed)'}: ${list.length} table(s), ${n} live key(s)`);
  for (const line of first) console.log(`  ${line}`);
}
