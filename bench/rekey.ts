/**
 * Re-keying throughput (not a test): builds a synthetic canonical savepoint from the 2.3 keyed
 * fixture's header (String keys; VALUE states `sum` and `max` per key) with N keys, then times
 * `rekeySavepoint` 128 → 256 (and compressed). Prints entries/s and input MiB/s.
 *   npx tsx bench/rekey.ts [keys=200000]
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMetadata, encodeMetadata, type KeyedStateHandle } from '../packages/format/src/index.js';
import { keyGroupForKey, keyGroupRange } from '../packages/restore/src/index.js';
import {
  KeyedStateFile,
  codecFor,
  encodeValue,
  writeCanonicalKeyedState,
  type RawKeyedEntry,
} from '../packages/state/src/index.js';
import { rekeySavepoint, storageResolver } from '../packages/state/src/node/index.js';

const N = Number(process.argv[2] ?? 200_000);
const fixture = join(import.meta.dirname, '../fixtures/generated/2.3.0/keyed-hashmap-savepoint');
const meta = decodeMetadata(new Uint8Array(readFileSync(join(fixture, '_metadata'))));
const op = meta.operators.find((o) => o.uid === 'keyed')!;
const h0 = op.subtasks[0]!.managedKeyedState as Extract<KeyedStateHandle, { kind: 'savepointKeyGroups' }>;
const header = (await KeyedStateFile.open(h0, storageResolver(fixture).resolve(h0.delegate), { maxParallelism: 128 })).header;
const id = (name: string) => header.states.findIndex((s) => s.name === name);
const keyCodec = codecFor(header.keySerializer);
const longCodec = codecFor(header.states[id('sum')]!.serializers[0]![1]);

const work = mkdtempSync(join(tmpdir(), 'ckpt-bench-rekey-'));
const src = join(work, 'src');
const groups = new Map<number, RawKeyedEntry[]>();
for (let i = 0; i < N; i++) {
  const key = `user-${i}`;
  const k = encodeValue(keyCodec, key);
  const composite = new Uint8Array(k.length + 1); // + VoidNamespace byte
  composite.set(k);
  const kg = keyGroupForKey(key, 128);
  let list = groups.get(kg);
  if (!list) groups.set(kg, (list = []));
  list.push({ stateId: id('sum'), key: composite, value: encodeValue(longCodec, BigInt(i)) });
  list.push({ stateId: id('max'), key: composite, value: encodeValue(longCodec, BigInt(-i)) });
}
for (const l of groups.values()) l.sort((a, b) => a.stateId - b.stateId);
const { mkdirSync } = await import('node:fs');
mkdirSync(src);
let inputBytes = 0;
op.subtasks = op.subtasks.map((s, i) => {
  const r = keyGroupRange(128, op.parallelism, i);
  const mine = new Map([...groups].filter(([kg]) => kg >= r.start && kg < r.start + r.count));
  const { bytes, offsets } = writeCanonicalKeyedState({ header: header.raw, keyGroupStart: r.start, keyGroupCount: r.count, maxParallelism: 128, keyGroups: mine });
  writeFileSync(join(src, `keyed-${i}`), bytes);
  inputBytes += bytes.length;
  return { ...s, managedKeyedState: { kind: 'savepointKeyGroups', keyGroupRange: r, offsets, delegate: { kind: 'relativeFile', relativePath: `keyed-${i}`, size: BigInt(bytes.length) } } };
});
meta.operators = meta.operators.filter((o) => o === op || o.subtasks.every((s) => !s.managedOperatorState));
delete meta.input;
writeFileSync(join(src, '_metadata'), encodeMetadata(meta));

for (const compress of [false, true]) {
  const out = join(work, `out-${compress}`);
  const t0 = performance.now();
  const r = await rekeySavepoint(src, { maxParallelism: 256, out, compress });
  const ms = performance.now() - t0;
  const entries = r.operators.reduce((n, o) => n + o.entries, 0);
  const outBytes = r.operators.flatMap((o) => o.files).reduce((n, f) => n + statSync(join(out, f)).size, 0);
  console.log(
    `rekey 128→256${compress ? ' +snappy' : ''}: ${entries} entries, ${(inputBytes / 2 ** 20).toFixed(1)} MiB in, ${(outBytes / 2 ** 20).toFixed(1)} MiB out: ` +
      `${ms.toFixed(0)} ms = ${Math.round(entries / (ms / 1000))} entries/s, ${(inputBytes / 2 ** 20 / (ms / 1000)).toFixed(1)} MiB/s; ` +
      `peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`,
  );
}
rmSync(work, { recursive: true, force: true });
