import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';
import { findMetadata } from '../../format/test/support/generated.js';
import { foldKeyed as fold } from './support/manifest-fold.js';
import { relocatedFixture } from './support/relocated.js';

const generated = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/generated');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}


const CASES = [
  ['1.20.3', 'keyed-rocksdb-native-savepoint'],
  ['2.0.1', 'keyed-rocksdb-incremental-checkpoint'],
  ['2.3.0', 'rocksdb-incremental-second-checkpoint'],
  ['2.3.0', 'keyed-forst-incremental-checkpoint'],
] as const;

describe('ckpt dump-state on RocksDB and ForSt snapshots', () => {
  for (const [version, scenario] of CASES) {
    const dir = join(generated, version, scenario);
    it(`${version} ${scenario}: every value equals the manifest; --key-groups narrows`, async () => {
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      // checkpoints name their shared files by the generating machine's absolute paths: relocated here
      const snapshot = scenario.includes('savepoint') ? dirname(findMetadata(dir)!) : await relocatedFixture(dir);
      const io = capture();
      expect(await run(['dump-state', snapshot, '--operator', manifest.expected.keyed.operatorUid], io), io.stderr.join('\n')).toBe(0);
      expect(io.stdout.some((l) => l.includes('not decoded'))).toBe(false);
      expect(fold(io.stdout)).toEqual(manifest.expected.keyed.keys);
      const some = capture();
      expect(await run(['dump-state', snapshot, '--operator', manifest.expected.keyed.operatorUid, '--key-groups', '0-40'], some)).toBe(0);
      const all = io.stdout.map((l) => JSON.parse(l) as { keyGroup: number });
      expect(some.stdout.length).toBe(all.filter((e) => e.keyGroup <= 40).length);
      expect(some.stdout.length).toBeGreaterThan(0);
      expect(some.stdout.length).toBeLessThan(all.length);
    });
  }

  for (const version of ['1.20.3', '2.0.1', '2.3.0']) {
    it(`${version}: the native savepoint dumps exactly as Flink's canonical savepoint of the same job (RocksDB's full-snapshot order)`, async () => {
      const native = capture();
      const canonical = capture();
      expect(await run(['dump-state', join(generated, version, 'keyed-rocksdb-native-savepoint'), '--operator', 'keyed'], native)).toBe(0);
      expect(await run(['dump-state', join(generated, version, 'keyed-rocksdb-canonical-savepoint'), '--operator', 'keyed'], canonical)).toBe(0);
      expect(native.stdout.length).toBeGreaterThan(100);
      expect(native.stdout).toEqual(canonical.stdout);
    });
  }
});
