import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io, type MetadataSummary } from '../src/index.js';
import { stateJsonLine } from '../src/commands/dump-state.js';
import { DEFAULT_DIALECT, decodeMetadata } from '@ckpt/format';
import { corpusEntries, HAVE_CORPUS } from '../../format/test/support/corpus.js';

/** Every generated fixture directory (fixtures/generated/<version>/<scenario>). */
function fixtureDirs(): string[] {
  const base = join(root, 'fixtures/generated');
  return readdirSync(base).flatMap((v) =>
    readdirSync(join(base, v))
      .map((n) => join(base, v, n))
      .filter((d) => existsSync(join(d, '_metadata'))),
  );
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLE = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

describe('ckpt inspect', () => {
  it('summarises the bundled sample savepoint', async () => {
    const io = capture();
    expect(await run(['inspect', SAMPLE], io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toMatch(/format version: 6/);
    expect(text).toMatch(/type:\s+savepoint \(CANONICAL/);
    expect(text).toMatch(/operator id\s+uid \/ name/);
  });

  it('prints JSON with --json whose operators match the manifest', async () => {
    const io = capture();
    expect(await run(['inspect', SAMPLE, '--json'], io)).toBe(0);
    const s = JSON.parse(io.stdout.join('\n')) as MetadataSummary;
    const manifest = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8'));
    expect(s.version).toBe(6);
    const uids = s.operators.map((o) => o.uid).filter(Boolean);
    for (const op of manifest.operators.filter((o: { uid?: string }) => o.uid)) expect(uids).toContain(op.uid);
  });

  it('fails with exit code 2 and names file and offset on a damaged file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const bad = join(dir, '_metadata');
    writeFileSync(bad, readFileSync(join(SAMPLE, '_metadata')).subarray(0, 100));
    const io = capture();
    expect(await run(['inspect', dir], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(new RegExp(`Truncated: .*${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, offset \\d+`));
  });

  it('--stream gives the same report as the full decode on every generated fixture', async () => {
    const dirs = fixtureDirs();
    expect(dirs.length).toBeGreaterThan(20);
    for (const dir of dirs) {
      const [full, streamed] = [capture(), capture()];
      expect(await run(['inspect', dir, '--json'], full), dir).toBe(0);
      expect(await run(['inspect', dir, '--json', '--stream'], streamed), dir).toBe(0);
      expect(JSON.parse(streamed.stdout.join('\n')), dir).toEqual(JSON.parse(full.stdout.join('\n')));
    }
  });

  it('--stream names file and offset on a damaged file, as the full decode does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const bad = join(dir, '_metadata');
    writeFileSync(bad, readFileSync(join(SAMPLE, '_metadata')).subarray(0, 100));
    const [full, streamed] = [capture(), capture()];
    expect(await run(['inspect', dir], full)).toBe(2);
    expect(await run(['inspect', dir, '--stream'], streamed)).toBe(2);
    // the full decode can refuse a list count up front; the stream runs out inside the list
    const where = new RegExp(`Truncated: .*${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, offset \\d+`);
    expect(full.stderr.join('\n')).toMatch(where);
    expect(streamed.stderr.join('\n')).toMatch(where);
  });

  it.skipIf(!HAVE_CORPUS)('--stream equals the full decode on every corpus file in the released layout', async () => {
    let compared = 0;
    for (const e of corpusEntries()) {
      try {
        decodeMetadata(new Uint8Array(readFileSync(e.file)), { dialect: DEFAULT_DIALECT });
      } catch {
        continue; // a pre-release layout: only the full decode detects it
      }
      const [full, streamed] = [capture(), capture()];
      expect(await run(['inspect', e.file, '--json'], full), e.id).toBe(0);
      expect(await run(['inspect', e.file, '--json', '--stream'], streamed), e.id).toBe(0);
      expect(JSON.parse(streamed.stdout.join('\n')), e.id).toEqual(JSON.parse(full.stdout.join('\n')));
      compared++;
    }
    expect(compared).toBeGreaterThan(200);
  });

  it.skipIf(!HAVE_CORPUS)('works on every corpus file', async () => {
    for (const e of corpusEntries()) {
      const io = capture();
      expect(await run(['inspect', e.file, '--json'], io), e.id).toBe(0);
      const s = JSON.parse(io.stdout.join('\n')) as MetadataSummary;
      expect(s.operators.length).toBe(Number(e.row.operators));
      expect(s.sha256).toBe(e.row.sha256_of_metadata);
      const text = capture();
      expect(await run(['inspect', e.file], text)).toBe(0);
    }
  });
});

describe('ckpt convert', () => {
  it('converts binary → JSON → binary byte-exactly, writing atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const json = join(dir, 'meta.json');
    const bin = join(dir, 'copy_metadata');
    const io = capture();
    expect(await run(['convert', SAMPLE, json], io)).toBe(0);
    expect(JSON.parse(readFileSync(json, 'utf8')).version).toBe(6);
    expect(await run(['convert', json, bin], io)).toBe(0);
    expect(readFileSync(bin).equals(readFileSync(join(SAMPLE, '_metadata')))).toBe(true);
  });

  it('refuses to overwrite its input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const f = join(dir, '_metadata');
    const original = readFileSync(join(SAMPLE, '_metadata'));
    writeFileSync(f, original);
    const io = capture();
    expect(await run(['convert', f, f], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/refusing to overwrite/);
    expect(readFileSync(f).equals(original)).toBe(true);
  });

  it('reports invalid JSON models with the model path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const json = join(dir, 'm.json');
    const io = capture();
    expect(await run(['convert', SAMPLE, json], io)).toBe(0);
    const m = JSON.parse(readFileSync(json, 'utf8'));
    m.operators[0].operatorId = 'xyz';
    writeFileSync(json, JSON.stringify(m));
    expect(await run(['convert', json, join(dir, 'out')], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/InvalidModel: operator id must be 32 hex digits.*operators\[0\]/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('the ckpt binary', () => {
  const bin = join(root, 'packages/cli/dist/bundle/bin.js');
  it.skipIf(!existsSync(bin))('runs from the built checkout', () => {
    const out = execFileSync(process.execPath, [bin, 'inspect', SAMPLE], { encoding: 'utf8' });
    expect(out).toMatch(/checkpoint id:/);
  });
});

describe('ckpt convert to msgpack and protobuf', () => {
  it('goes through every format and back to the same bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const original = readFileSync(join(SAMPLE, '_metadata'));
    const io = capture();
    expect(await run(['convert', SAMPLE, join(dir, 'a.msgpack')], io)).toBe(0);
    expect(await run(['convert', join(dir, 'a.msgpack'), join(dir, 'b.pb')], io)).toBe(0);
    expect(await run(['convert', join(dir, 'b.pb'), join(dir, 'c'), '--to', 'json'], io)).toBe(0);
    expect(await run(['convert', join(dir, 'c'), join(dir, 'd_metadata')], io)).toBe(0);
    expect(readFileSync(join(dir, 'd_metadata')).equals(original)).toBe(true);
    expect(await run(['convert', SAMPLE, join(dir, 'x'), '--to', 'yaml'], io)).toBe(1);
  });
});

describe('ckpt hash-uid', () => {
  it('prints the operator ids real Flink derived for the sample uids', async () => {
    const manifest = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8'));
    const ops = manifest.operators.filter((o: { uid?: string }) => o.uid) as { uid: string; operatorId: string }[];
    const io = capture();
    expect(await run(['hash-uid', '--json', ...ops.map((o) => o.uid)], io)).toBe(0);
    const out = JSON.parse(io.stdout.join('\n'));
    for (const o of ops) expect(out[o.uid]).toBe(o.operatorId);
  });
});

describe('ckpt plan and check', () => {
  it('plans a rescale: every key group of the keyed operator is read by exactly one subtask', async () => {
    const io = capture();
    expect(await run(['plan', SAMPLE, '--parallelism', '3', '--json'], io)).toBe(0);
    const p = JSON.parse(io.stdout.join('\n')) as { subtasks: { vertex: string; keyGroups: { start: number; count: number } }[]; totalBytes: string };
    const keyed = p.subtasks.filter((s) => s.vertex === 'keyed');
    expect(keyed.map((s) => s.keyGroups)).toEqual([
      { start: 0, count: 43 },
      { start: 43, count: 43 },
      { start: 86, count: 42 },
    ]);
    const inspect = capture();
    await run(['inspect', SAMPLE, '--json'], inspect);
    expect(p.totalBytes).toBe((JSON.parse(inspect.stdout.join('\n')) as MetadataSummary).totalStateSize);
  });

  it('check says OK for a valid rescale and exits 3 with Flink’s message above max parallelism', async () => {
    const ok = capture();
    expect(await run(['check', SAMPLE, '-p', '4'], ok)).toBe(0);
    expect(ok.stdout[0]).toMatch(/^OK/);
    const bad = capture();
    expect(await run(['check', SAMPLE, '-p', '300'], bad)).toBe(3);
    expect(bad.stdout[0]).toMatch(/maximum parallelism \(128\) of the restored state is lower than the configured parallelism \(300\)/);
  });

  it('check refuses a job that drops stored state unless -n is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const job = join(dir, 'job.txt');
    writeFileSync(job, 'source=1 source-filter=1\n');
    const io = capture();
    expect(await run(['check', SAMPLE, '--job', job], io)).toBe(3);
    expect(io.stdout.join('\n')).toMatch(/allowNonRestoredState|cannot be mapped|Failed to rollback|not restored/i);
    expect(await run(['check', SAMPLE, '--job', job, '-n'], capture())).toBe(0);
  });

  it('reports an invalid job file with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const job = join(dir, 'job.json');
    writeFileSync(job, '{"vertices": 3}');
    const io = capture();
    expect(await run(['check', SAMPLE, '--job', job], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/InvalidJobDescription/);
  });
});

describe('ckpt dump-state', () => {
  it('prints the keyed values the manifest expects, for chosen key groups too', async () => {
    const manifest = JSON.parse(readFileSync(join(SAMPLE, 'manifest.json'), 'utf8'));
    const io = capture();
    expect(await run(['dump-state', SAMPLE, '--operator', 'keyed'], io)).toBe(0);
    const entries = io.stdout.map((l) => JSON.parse(l) as { key: string; state: string; value: unknown; keyGroup: number });
    const keys = manifest.expected.keyed.keys as Record<string, { sum: number; max: number; values: number[] }>;
    const got = (state: string) => Object.fromEntries(entries.filter((e) => e.state === state).map((e) => [e.key, e.value]));
    const want = (f: (k: { sum: number; max: number; values: number[] }) => unknown) =>
      Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, f(v)]));
    expect(got('sum')).toEqual(want((k) => String(k.sum)));
    expect(got('max')).toEqual(want((k) => String(k.max)));
    expect(got('values')).toEqual(want((k) => k.values.map(String)));
    const kg = entries[0]!.keyGroup;
    const some = capture();
    expect(await run(['dump-state', SAMPLE, '--operator', 'keyed', '--key-groups', `${kg}-${kg}`], some)).toBe(0);
    const sub = some.stdout.map((l) => JSON.parse(l) as { keyGroup: number });
    expect(sub.length).toBeGreaterThan(0);
    expect(sub.every((e) => e.keyGroup === kg)).toBe(true);
  });

  it('prints Java maps and sets as entry lists (keys of any type), bigints and bytes losslessly', () => {
    const v = new Map<unknown, unknown>([[1n, new Set(['a'])], ['k', new Uint8Array([1, 2])]]);
    expect(JSON.parse(stateJsonLine({ value: v }))).toEqual({
      value: { map: [['1', { set: ['a'] }], ['k', { base64: 'AQI=' }]] },
    });
  });

  it('names the stored operators when the operator is unknown', async () => {
    const io = capture();
    expect(await run(['dump-state', SAMPLE, '--operator', 'nope'], io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/no operator nope .* stored operators: .*keyed/);
  });
});
