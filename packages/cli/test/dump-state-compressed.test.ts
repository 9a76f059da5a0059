import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sp = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

async function dump(dir: string, ...extra: string[]): Promise<string[]> {
  const c = capture();
  expect(await run(['dump-state', dir, '--operator', 'keyed', ...extra], c)).toBe(0);
  return c.stdout;
}

describe.skipIf(!existsSync(sp))('dump-state of a Snappy-compressed savepoint', () => {
  it('reads the compression flag of the header: no option needed, the same entries as uncompressed', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ckpt-dump-compressed-'));
    const [plain, packed] = [join(base, 'plain'), join(base, 'packed')];
    expect(await run(['rekey', sp, '--max-parallelism', '64', '--out', plain, '--no-compress'], capture())).toBe(0);
    expect(await run(['rekey', sp, '--max-parallelism', '64', '--out', packed, '--compress'], capture())).toBe(0);
    // the new key-group files of `packed` say compressed in their header (byte 4 of the keyed proxy)
    const flagged = (d: string) => readdirSync(d).filter((n) => n !== '_metadata' && readFileSync(join(d, n))[4] === 1).length;
    expect([flagged(plain), flagged(packed)]).toEqual([0, 2]);
    const expected = await dump(plain);
    expect(expected.length).toBeGreaterThan(100);
    expect(await dump(packed)).toEqual(expected);
  });
});
