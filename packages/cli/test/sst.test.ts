import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '@ckpt/storage';
import { run, type Io } from '../src/index.js';
import { S3_CREDENTIALS, startS3, type S3Server } from '../../../scripts/servers/s3.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

/** SST files of a generated native savepoint, found by the block-based table magic at their end. */
function ssts(dir: string): string[] {
  const magic = Buffer.from('f7cff485b741e288', 'hex');
  return readdirSync(dir)
    .map((n) => join(dir, n))
    .filter((p) => {
      const b = readFileSync(p);
      return b.length > 53 && b.subarray(b.length - 8).equals(magic);
    })
    .sort();
}

const SST_2_3 = ssts(join(root, 'fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint'));
const SST_1_20 = ssts(join(root, 'fixtures/generated/1.20.3/keyed-rocksdb-native-savepoint'));

async function json(args: string[]): Promise<unknown> {
  const io = capture();
  expect(await run(args, io), io.stderr.join('\n')).toBe(0);
  return JSON.parse(io.stdout.join('\n'));
}

describe('ckpt sst on the SSTs Flink wrote (generated fixtures)', () => {
  it('prints the properties: column family = state name, checksum by Flink line, format_version 5', async () => {
    expect(SST_2_3.length).toBeGreaterThan(0);
    expect(SST_1_20.length).toBeGreaterThan(0);
    const p23 = (await json(['sst', 'props', SST_2_3[0]!, '--json'])) as Record<string, any>;
    expect(p23.formatVersion).toBe(5);
    expect(p23.checksum).toBe('xxh3');
    expect(p23.properties.comparator).toBe('leveldb.BytewiseComparator');
    expect(p23.properties.mergeOperator).toBe('StringAppendTESTOperator');
    expect(typeof p23.properties.columnFamilyName).toBe('string');
    const p120 = (await json(['sst', 'props', SST_1_20[0]!, '--json'])) as Record<string, any>;
    expect(p120.checksum).toBe('crc32c');
    const text = capture();
    expect(await run(['sst', 'props', SST_2_3[0]!], text)).toBe(0);
    expect(text.stdout.join('\n')).toMatch(/^table\n {2}file {2,}.*\n[\s\S]*^properties\n[\s\S]* {2}columnFamilyName {2,}\S/m);
  });

  it('scans one JSON line per entry, as many as the properties count', async () => {
    for (const file of [...SST_2_3, ...SST_1_20]) {
      const props = (await json(['sst', 'props', file, '--json'])) as { properties: { numEntries: number } };
      const io = capture();
      expect(await run(['sst', 'scan', file, '--json'], io)).toBe(0);
      expect(io.stdout.length).toBe(props.properties.numEntries);
      for (const line of io.stdout) {
        const e = JSON.parse(line) as Record<string, string>;
        expect(Object.keys(e)).toEqual(['key', 'seq', 'type', 'value']);
        expect(e.key).toMatch(/^([0-9a-f]{2})+$/);
        expect(e.seq).toMatch(/^\d+$/);
        expect(['put', 'delete', 'singleDelete', 'merge', 'rangeDelete']).toContain(e.type);
      }
    }
    const limited = capture();
    expect(await run(['sst', 'scan', SST_2_3[0]!, '--json', '--limit', '1'], limited)).toBe(0);
    expect(limited.stdout).toHaveLength(1);
    expect(await run(['sst', 'scan', SST_2_3[0]!, '--limit', 'many'], capture())).toBe(1);
  });

  it('verifies every block, and names the file and offset of a corrupted one (exit 4)', async () => {
    const ok = capture();
    expect(await run(['sst', 'verify', ...SST_2_3, ...SST_1_20], ok)).toBe(0);
    expect(ok.stdout.every((l) => l.startsWith('OK: '))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-sst-'));
    const copy = join(dir, '000001.sst');
    const bytes = readFileSync(SST_2_3[0]!);
    bytes[3]! ^= 0x40; // inside the first data block (it starts at offset 0)
    writeFileSync(copy, bytes);
    const bad = capture();
    expect(await run(['sst', 'verify', copy, SST_2_3[0]!], bad)).toBe(4);
    expect(bad.stdout[0]).toBe(`BROKEN: ${copy} (${bad.stdout[0]!.match(/\((\d+) blocks/)![1]} blocks checked, 0 data blocks, 0 entries)`);
    expect(bad.stdout[1]).toMatch(new RegExp(`BadChecksum: data block checksum mismatch \\(xxh3\\).*\\(${copy.replace(/[.]/g, '\\.')}, offset 0\\)`));
    expect(bad.stdout[2]).toMatch(/^OK: /);
    // Reading the broken file fails with a typed error and exit 2 (bad input).
    const scan = capture();
    expect(await run(['sst', 'scan', copy], scan)).toBe(2);
    expect(scan.stderr[0]).toMatch(/^ckpt: BadChecksum: /);
  });
});

describe('ckpt sst on S3 (s3rver on loopback)', () => {
  let s3: S3Server;
  const env = { ...process.env };
  beforeAll(async () => {
    s3 = await startS3('sst');
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    const storage = await openStorage(`s3://${s3.bucket}/`);
    await storage.write('chk-1/shared/000042.sst', new Uint8Array(readFileSync(SST_2_3[0]!)));
    await storage.close?.();
  });
  afterAll(async () => {
    process.env = env;
    await s3?.stop();
  });

  it('reads a remote SST by ranged reads with the same result as the local file', async () => {
    const uri = `s3://${s3.bucket}/chk-1/shared/000042.sst`;
    for (const cmd of [['props', '--json'], ['scan', '--json']]) {
      const local = capture();
      const remote = capture();
      expect(await run(['sst', cmd[0]!, SST_2_3[0]!, cmd[1]!], local)).toBe(0);
      expect(await run(['sst', cmd[0]!, uri, cmd[1]!], remote), remote.stderr.join('\n')).toBe(0);
      expect(remote.stdout.join('\n').replace(uri, '<file>')).toBe(local.stdout.join('\n').replace(SST_2_3[0]!, '<file>'));
    }
    expect(await run(['sst', 'verify', uri], capture())).toBe(0);
  });
});
