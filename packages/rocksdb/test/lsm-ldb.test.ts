import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BytesSource, LsmView, SstTable, toHex } from '@ckpt/rocksdb';

const hasLdb = (() => {
  try {
    execFileSync('ldb', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasLdb) console.log('lsm-ldb: Debian rocksdb-tools (ldb) is not installed; the LSM view is not compared with RocksDB here');

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Op = { kind: 'put'; key: string; value: string } | { kind: 'delete'; key: string } | { kind: 'deleterange'; start: string; end: string };

const SENTINEL = 'ff';

function ldb(dir: string, args: string[]): string {
  return execFileSync('ldb', [`--db=${dir}`, '--hex', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Writes `batches` with Debian's ldb, one process (so one flushed L0 file) per batch, with auto
 * compactions off so every version stays in its own table; a last sentinel write makes the
 * previous batch flush. Returns the directory.
 */
function writeDb(batches: Op[][]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-lsm-'));
  dirs.push(dir);
  ldb(dir, ['--create_if_missing', 'put', '0x00', '0x00']);
  const options = readdirSync(dir).filter((f) => f.startsWith('OPTIONS-')).sort().at(-1)!;
  const text = readFileSync(join(dir, options), 'utf8').replace('disable_auto_compactions=false', 'disable_auto_compactions=true');
  writeFileSync(join(dir, options), text);
  for (const batch of batches) {
    for (const op of batch) {
      if (op.kind === 'put') ldb(dir, ['put', `0x${op.key}`, `0x${op.value}`]);
      else if (op.kind === 'delete') ldb(dir, ['delete', `0x${op.key}`]);
      else ldb(dir, ['deleterange', `0x${op.start}`, `0x${op.end}`]);
    }
  }
  ldb(dir, ['put', `0x${SENTINEL}`, '0x00']);
  return dir;
}

function ldbScan(dir: string, range: { start?: string; end?: string } = {}): Array<[string, string]> {
  const bounds = [...(range.start !== undefined ? [`--from=0x${range.start}`] : []), ...(range.end !== undefined ? [`--to=0x${range.end}`] : [])];
  return ldb(dir, ['scan', ...bounds])
    .trim()
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [k, v] = l.split(' : ');
      return [k!.replace(/^0x/, '').toLowerCase(), v!.replace(/^0x/, '').toLowerCase()] as [string, string];
    })
    .filter(([k]) => k !== SENTINEL);
}

async function viewScan(dir: string, range: { start?: string; end?: string } = {}): Promise<Array<[string, string]>> {
  const tables = await Promise.all(
    readdirSync(dir)
      .filter((f) => f.endsWith('.sst'))
      .map((f) => SstTable.open(new BytesSource(new Uint8Array(readFileSync(join(dir, f))), f))),
  );
  const out: Array<[string, string]> = [];
  const fromHex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));
  const view = new LsmView(tables);
  const scan = view.scan({
    ...(range.start !== undefined ? { start: fromHex(range.start) } : {}),
    ...(range.end !== undefined ? { end: fromHex(range.end) } : {}),
  });
  for await (const kv of scan) out.push([toHex(kv.key), toHex(kv.value)]);
  // the packed scan in batches of one pair gives the same pairs (batch boundaries everywhere)
  const packed: Array<[string, string]> = [];
  for await (const p of view.scanPacked({ ...(range.start !== undefined ? { start: fromHex(range.start) } : {}), ...(range.end !== undefined ? { end: fromHex(range.end) } : {}) }, { bytes: 1, pairs: 1 })) {
    expect(p.count).toBe(1);
    packed.push([toHex(p.key(0)), toHex(p.value(0))]);
  }
  expect(packed).toEqual(out);
  return out.filter(([k]) => k !== SENTINEL);
}

const key = fc.constantFrom('01', '02', '0203', '03', '10', '11', '1100', '20', '21', '22');
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), key, value: fc.uint8Array({ minLength: 1, maxLength: 6 }).map(toHex) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
  {
    weight: 3,
    arbitrary: fc.tuple(key, key).filter(([a, b]) => a < b).map(([start, end]) => ({ kind: 'deleterange' as const, start, end })),
  },
);

describe.skipIf(!hasLdb)('LSM view against RocksDB (ldb scan)', () => {
  it('hides older versions, point deletes and range tombstones across L0 files', async () => {
    const dir = writeDb([
      [
        { kind: 'put', key: '01', value: 'aa' },
        { kind: 'put', key: '02', value: 'bb' },
        { kind: 'put', key: '03', value: 'cc' },
      ],
      [{ kind: 'put', key: '02', value: 'b2' }],
      [{ kind: 'delete', key: '03' }],
      [{ kind: 'deleterange', start: '01', end: '02' }],
      [{ kind: 'put', key: '04', value: 'dd' }],
    ]);
    const expected = ldbScan(dir);
    expect(expected).toEqual([
      ['00', '00'],
      ['02', 'b2'],
      ['04', 'dd'],
    ]);
    expect(await viewScan(dir)).toEqual(expected);
  });

  it('equals ldb scan for random operation histories', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 10 }), async (ops) => {
        const dir = writeDb(ops.map((o) => [o]));
        expect(await viewScan(dir)).toEqual(ldbScan(dir));
        // A seek and a bounded scan, as the Flink layer scans key-group prefixes.
        for (const range of [{ start: '02' }, { start: '0203', end: '20' }, { end: '11' }]) {
          expect(await viewScan(dir, range), JSON.stringify(range)).toEqual(ldbScan(dir, range));
        }
      }),
      { numRuns: 12, seed: 20261203 },
    );
  });
});
