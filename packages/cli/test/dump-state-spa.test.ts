import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { relocatedFixture } from './support/relocated.js';

// `ckpt dump-state` against Flink's State Processor API (conformance keyed-read entries, Flink 2.3
// with the embedded RocksDB backend) on the same snapshots: the same entries.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (scenario: string) => join(root, 'fixtures/generated/2.3.0', scenario);
const built = existsSync(join(root, 'conformance/target/flink-2.3/classes/dev/ckpt/conformance/KeyedRead$Entries.class'));
if (!built) console.log('conformance 2.3 build without keyed-read entries (bash scripts/conformance.sh build): State Processor API comparison skipped');

/** (state, key, namespace, user key, value) as one canonical JSON string. */
function entryKey(e: { state: string; key: unknown; namespace: unknown; userKey?: unknown; value: unknown }): string {
  return JSON.stringify([e.state, e.key, e.namespace, e.userKey ?? null, e.value]);
}

async function ckptEntries(dir: string): Promise<string[]> {
  const out: string[] = [];
  const err: string[] = [];
  expect(await run(['dump-state', dir, '--operator', 'keyed'], { out: (s) => out.push(s), err: (s) => err.push(s) }), err.join('\n')).toBe(0);
  return out.map((l) => entryKey(JSON.parse(l))).sort();
}

describe.skipIf(!built)('ckpt dump-state equals the State Processor API', () => {
  it('Flink 2.3: RocksDB native savepoint, full, incremental and second incremental checkpoints, heap savepoint', async () => {
    const inputs = [
      fixture('keyed-rocksdb-native-savepoint'),
      await relocatedFixture(fixture('keyed-rocksdb-incremental-checkpoint')),
      await relocatedFixture(fixture('rocksdb-incremental-second-checkpoint')),
      await relocatedFixture(fixture('keyed-rocksdb-full-checkpoint')),
      fixture('keyed-hashmap-savepoint'),
    ];
    // one JVM reads them all
    const r = spawnSync(join(root, 'conformance/run.sh'), ['2.3', 'keyed-read', 'entries', 'rocksdb', ...inputs], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const spa = new Map<string, string[]>(inputs.map((d) => [d, []]));
    for (const line of r.stdout.trim().split('\n')) {
      const e = JSON.parse(line) as { input: string } & Parameters<typeof entryKey>[0];
      spa.get(e.input)!.push(entryKey(e));
    }
    for (const dir of inputs) {
      const flink = spa.get(dir)!.sort();
      const ours = await ckptEntries(dir);
      // 10 keys × (sum, values, max, 10 map entries)
      expect(flink.length, dir).toBe(130);
      expect(new Set(flink).size).toBe(flink.length);
      expect(ours, dir).toEqual(flink);
    }
  }, 600_000);
});
