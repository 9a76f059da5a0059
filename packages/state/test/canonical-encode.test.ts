import { describe, expect, test } from 'vitest';
import { codecFor, KeyedStateFile, RocksDbKeyedState, type KeyedStateEntry, type RawKeyedEntry } from '../src/index.js';
import { encodeCompositeEntry } from '../src/keyed/canonical-encode.js';
import { stateCodecs } from '../src/keyed/codecs.js';
import type { KeyedStateHeader } from '../src/meta/proxy.js';
import { loadFixture, versions } from './support.js';

// encodeCompositeEntry is decodeEntry's inverse: every decoded pair of Flink's canonical and
// RocksDB files encodes back to the bytes Flink wrote (keys with their length suffixes, lists
// joined by ',', map values behind their null flag, TTL wrappers, timers).
const SCENARIOS = ['keyed-hashmap-savepoint', 'keyed-rocksdb-canonical-savepoint', 'ttl-state-savepoint', 'topology-savepoint', 'keyed-rocksdb-native-savepoint', 'sql-types-savepoint', 'sql-types-rocksdb-native-savepoint'];

interface Both {
  header: KeyedStateHeader;
  rawKeyGroups(): AsyncIterable<{ keyGroup: number; entries: RawKeyedEntry[] }>;
  keyGroupEntries(): AsyncIterable<KeyedStateEntry[]>;
}

describe('encodeCompositeEntry', () => {
  for (const version of versions()) {
    for (const scenario of SCENARIOS) {
      const f = loadFixture(version, scenario);
      test.skipIf(!f)(`${version}/${scenario}: every pair encodes back to Flink's bytes`, async () => {
        let pairs = 0;
        for (const op of f!.metadata.operators) {
          for (const s of op.subtasks) {
            const h = s.managedKeyedState;
            if (!h) continue;
            const opts = { maxParallelism: op.maxParallelism };
            let file: Both;
            if (h.kind === 'incremental') file = await RocksDbKeyedState.open(h, (x) => f!.resolver.resolve(x), opts);
            else if (h.kind === 'savepointKeyGroups' || (h.kind === 'keyGroups' && (await KeyedStateFile.open(h, f!.resolver.resolve(h.delegate), opts)).format === 'canonical')) {
              file = await KeyedStateFile.open(h, f!.resolver.resolve(h.delegate), opts);
            } else continue;
            const key = codecFor(file.header.keySerializer);
            const states = file.header.states.map(stateCodecs);
            const decoded: KeyedStateEntry[] = [];
            for await (const g of file.keyGroupEntries()) decoded.push(...g);
            let i = 0;
            for await (const g of file.rawKeyGroups()) {
              for (const raw of g.entries) {
                const e = decoded[i++]!;
                const enc = encodeCompositeEntry(states[raw.stateId]!, key, e);
                expect(Buffer.from(enc.key).equals(Buffer.from(raw.key)), `${e.state} key`).toBe(true);
                expect(Buffer.from(enc.value).equals(Buffer.from(raw.value)), `${e.state} value`).toBe(true);
                pairs++;
              }
            }
            expect(i).toBe(decoded.length);
          }
        }
        // the SQL types job keeps few keys: 3 deduplicated rows, 3 accumulators, 9 COLLECT map-view entries
        expect(pairs).toBeGreaterThanOrEqual(scenario === 'topology-savepoint' ? 6 : scenario.startsWith('sql-types-') ? 15 : 101);
      });
    }
  }
});
