// Decode a _metadata file, print what it holds, change nothing, write it back and compare.
//   pnpm build && node packages/format/examples/roundtrip.mjs fixtures/generated/2.3.0/keyed-hashmap-savepoint/_metadata
import { readFileSync } from 'node:fs';
import { decodeMetadata, encodeMetadata, keyedStateSize, toJsonString } from '@ckpt/format';

const file = process.argv[2] ?? new URL('../../../fixtures/generated/2.3.0/keyed-hashmap-savepoint/_metadata', import.meta.url);
const bytes = new Uint8Array(readFileSync(file));
const meta = decodeMetadata(bytes, { file: String(file) });

console.log(`version ${meta.version}, checkpoint ${meta.checkpointId}, ${meta.properties?.view?.snapshotType.kind ?? 'unknown type'}`);
for (const op of meta.operators) {
  const keyed = op.subtasks.reduce((n, s) => n + keyedStateSize(s.managedKeyedState), 0n);
  console.log(`  ${op.operatorId} ${op.uid ?? ''} p=${op.parallelism} maxp=${op.maxParallelism} keyed=${keyed} B`);
}
const again = encodeMetadata(meta);
console.log(`byte-exact: ${Buffer.compare(Buffer.from(again), Buffer.from(bytes)) === 0}`);
console.log(`JSON form: ${toJsonString(meta).length} characters`);
