import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ByteWriter, decodeMetadata, type ChangelogHandle, type StateChange } from '@ckpt/format';
import { keyGroupForKey } from '@ckpt/restore';
import { ChangelogKeyedState, changeStream, readChangeSet, SnappyFraming, StateError, basicSerializerSnapshot } from '@ckpt/state';
import { storageResolver } from '@ckpt/state/node';
import { run, type Io } from '../src/index.js';
import { findMetadata } from '../../format/test/support/generated.js';
import { foldKeyed } from './support/manifest-fold.js';
import { relocatedFixture } from './support/relocated.js';

// The changelog state backend: the materialized part plus the state-change log replayed on it,
// dumped by `ckpt dump-state` and compared with the values the generator's job wrote.
const generated = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/generated');
const VERSIONS = ['1.20.3', '2.0.1', '2.3.0'].filter((v) => existsSync(join(generated, v, 'changelog-checkpoint', 'manifest.json')));

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { expected: { keyed: { keys: Record<string, Record<string, unknown>> } } };

/** One state-change record: operation, state id, String key, void namespace, then `data`. */
function record(op: number, stateId: number, key: string, data: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(op);
  w.u16(stateId);
  w.u8(key.length + 1); // StringValue: varint length + 1, then the chars (ASCII here)
  for (const ch of key) w.u8(ch.charCodeAt(0));
  w.u8(0); // VoidNamespace
  data(w);
  return w.finish();
}

describe('ckpt dump-state on changelog checkpoints', () => {
  for (const version of VERSIONS) {
    it(`${version}: state-change log alone (key type given) and materialized state: the manifest's values`, async () => {
      const logOnly = await relocatedFixture(join(generated, version, 'changelog-checkpoint'));
      const materialized = dirname(findMetadata(join(generated, version, 'changelog-materialized-checkpoint'))!);
      const want = manifestOf(join(generated, version, 'changelog-checkpoint')).expected.keyed.keys;
      const a = capture();
      expect(await run(['dump-state', logOnly, '--operator', 'keyed', '--key-type', 'String'], a), a.stderr.join('\n')).toBe(0);
      expect(foldKeyed(a.stdout)).toEqual(want);
      const b = capture();
      expect(await run(['dump-state', materialized, '--operator', 'keyed'], b), b.stderr.join('\n')).toBe(0);
      expect(foldKeyed(b.stdout)).toEqual(manifestOf(join(generated, version, 'changelog-materialized-checkpoint')).expected.keyed.keys);
      // the log names no key serializer: without --key-type a typed error, with a wrong one no values
      const c = capture();
      expect(await run(['dump-state', logOnly, '--operator', 'keyed'], c)).toBe(2);
      expect(c.stderr.join('\n')).toMatch(/UnsupportedHandle: .*no key serializer.*--key-type/);
      expect(await run(['dump-state', logOnly, '--operator', 'keyed', '--key-type', 'Long'], capture())).toBe(2);
      expect(await run(['dump-state', logOnly, '--operator', 'keyed', '--key-type', 'Pojo'], capture())).toBe(1);
      // turned into canonical savepoints (re-keyed 128 → 256): the same values
      const work = mkdtempSync(join(tmpdir(), 'ckpt-changelog-rekey-'));
      for (const [src, extra] of [[logOnly, ['--key-type', 'String']], [materialized, []]] as const) {
        const out = join(work, String(extra.length));
        const r = capture();
        expect(await run(['rekey', src, '--max-parallelism', '256', '--out', out, ...extra], r), r.stderr.join('\n')).toBe(0);
        const d = capture();
        expect(await run(['dump-state', out, '--operator', 'keyed'], d)).toBe(0);
        expect(foldKeyed(d.stdout)).toEqual(want);
      }
      expect(await run(['rekey', logOnly, '--out', join(work, 'no-key-type')], capture())).toBe(2);
    });
  }

  it.skipIf(!VERSIONS.includes('2.3.0'))('2.3.0: changes logged after materialization are applied to the materialized state (an in-memory log)', async () => {
    const dir = dirname(findMetadata(join(generated, '2.3.0', 'changelog-materialized-checkpoint'))!);
    const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
    const op = meta.operators.find((o) => o.uid === 'keyed')!;
    // the states' metadata records (key group -1) as Flink 2.3 logged them for this job
    const logDir = join(generated, '2.3.0', 'changelog-checkpoint', 'changelog');
    const logFile = join(logDir, ...findLog(logDir));
    const metadataRecords = readChangeSet(await changeStream(new Uint8Array(readFileSync(logFile)), logFile), 0, logFile).filter((c) => c.keyGroup === -1);
    expect(metadataRecords.map((c) => c.data[0])).toEqual([8, 8, 8, 8]);
    const long = (v: bigint) => (w: ByteWriter) => w.i64(v);
    const kg = (k: string) => keyGroupForKey(k, op.maxParallelism);
    const changes: StateChange[] = [
      ...metadataRecords.map((c) => ({ keyGroup: -1, data: c.data })),
      { keyGroup: kg('k0'), data: record(0, 0, 'k0', () => {}) }, // CLEAR sum
      { keyGroup: kg('k1'), data: record(2, 3, 'k1', long(1000n)) }, // SET_INTERNAL max
      { keyGroup: kg('k2'), data: record(7, 2, 'k2', long(2n)) }, // REMOVE_ELEMENT byValue[2]
      { keyGroup: kg('k3'), data: record(5, 1, 'k3', long(777n)) }, // ADD_ELEMENT values
      { keyGroup: kg('k4'), data: record(6, 2, 'k4', (w) => (long(5n)(w), w.u8(3), w.u8(0x76), w.u8(0x35))) }, // byValue[5] = "v5"
      { keyGroup: kg('k5'), data: record(1, 1, 'k5', (w) => (w.i32(1), w.i64(1n))) }, // SET values = [1]
    ];
    const want = structuredClone(manifestOf(join(generated, '2.3.0', 'changelog-materialized-checkpoint')).expected.keyed.keys) as Record<string, Record<string, any>>;
    delete want.k0!.sum;
    want.k1!.max = 1000;
    delete want.k2!.byValue['2'];
    want.k3!.values.push(777);
    want.k4!.byValue['5'] = 'v5';
    want.k5!.values = [1];
    const resolver = storageResolver(dir);
    const lines: string[] = [];
    for (const s of op.subtasks) {
      const h = s.managedKeyedState as ChangelogHandle;
      const r = h.keyGroupRange;
      const mine = changes.filter((c) => c.keyGroup === -1 || (c.keyGroup >= r.start && c.keyGroup < r.start + r.count));
      const withLog: ChangelogHandle = { ...h, nonMaterialized: [{ kind: 'inMemoryChangelog', keyGroupRange: r, from: 0n, to: 1n, changes: mine }] };
      const cs = await ChangelogKeyedState.open(withLog, resolver, { maxParallelism: op.maxParallelism });
      for (const e of cs.entries()) lines.push(JSON.stringify(e, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
    }
    expect(foldKeyed(lines)).toEqual(want);
    // a change before its state's metadata record is refused, not skipped
    const h0 = op.subtasks[0]!.managedKeyedState as ChangelogHandle;
    const orphan: ChangelogHandle = { ...h0, nonMaterialized: [{ kind: 'inMemoryChangelog', keyGroupRange: h0.keyGroupRange, from: 0n, to: 1n, changes: [{ keyGroup: h0.keyGroupRange.start, data: record(1, 0, 'x', long(1n)) }] }] };
    await expect(ChangelogKeyedState.open(orphan, resolver, { maxParallelism: op.maxParallelism })).rejects.toThrow(StateError);
  });
});

describe.skipIf(!VERSIONS.includes('2.3.0'))('changelog files', () => {
  it('2.3.0: a Snappy-compressed log (compression flag 1, offsets in the uncompressed stream) replays as the plain one', async () => {
    const dir = dirname(findMetadata(join(generated, '2.3.0', 'changelog-checkpoint'))!);
    const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
    const op = meta.operators.find((o) => o.uid === 'keyed')!;
    const work = mkdtempSync(join(tmpdir(), 'ckpt-dstl-'));
    const framing = await SnappyFraming.create();
    const opts = { maxParallelism: op.maxParallelism, keySerializer: basicSerializerSnapshot('String')! };
    const logDir = join(generated, '2.3.0', 'changelog-checkpoint', 'changelog');
    let total = 0;
    for (const s of op.subtasks) {
      const h = s.managedKeyedState as ChangelogHandle;
      const nm = h.nonMaterialized[0]!;
      if (nm.kind !== 'changelogFile') throw new Error(nm.kind);
      // the same segments, read from this checkout's copies, plain and compressed
      const local = (path: string) => join(logDir, ...path.split('/changelog/')[1]!.split('/'));
      const plain = { ...h, nonMaterialized: [{ ...nm, segments: nm.segments.map((g) => ({ ...g, handle: { kind: 'file' as const, path: local((g.handle as { path: string }).path), size: 0n } })) }] };
      const compressed = {
        ...h,
        nonMaterialized: [{
          ...nm,
          segments: plain.nonMaterialized[0]!.segments.map((g, i) => {
            const bytes = new Uint8Array(readFileSync(g.handle.path));
            const out = join(work, `${s.index}-${i}`);
            writeFileSync(out, Buffer.concat([Buffer.of(1), framing.encode(bytes.subarray(1))]));
            return { ...g, handle: { kind: 'file' as const, path: out, size: 0n } };
          }),
        }],
      };
      const resolver = storageResolver(undefined);
      const a = (await ChangelogKeyedState.open(plain, resolver, opts)).entries();
      const b = (await ChangelogKeyedState.open(compressed, resolver, opts)).entries();
      expect(b).toEqual(a);
      total += a.length;
    }
    expect(total).toBe(130);
  });
});

/** The relative path of one DSTL file below `dir` (`<job id>/dstl/<uuid>`). */
function findLog(dir: string): string[] {
  const job = readdirSync(dir)[0]!;
  const file = readdirSync(join(dir, job, 'dstl')).sort()[0]!;
  return [job, 'dstl', file];
}
