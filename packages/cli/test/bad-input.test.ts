import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ckpt } from './support/run.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLE = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

/** A loopback port nobody listens on: connections to it are refused. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const tmp = mkdtempSync(join(tmpdir(), 'ckpt-bad-'));

/** Exit code and stderr of a run, with the temporary directory written as <tmp>. */
async function golden(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await ckpt(args);
  return { code: r.code, stderr: r.stderr.replaceAll(tmp, '<tmp>') };
}
const out = (name: string) => join(tmp, 'out', `${name}-${Math.random().toString(36).slice(2)}`);

/** Every command that takes a checkpoint, with the arguments it needs besides it. */
const COMMANDS: Record<string, (p: string) => string[]> = {
  inspect: (p) => ['inspect', p],
  convert: (p) => ['convert', p, `${out('convert')}.json`],
  plan: (p) => ['plan', p, '-p', '2'],
  check: (p) => ['check', p, '-p', '2'],
  'dump-state': (p) => ['dump-state', p, '--operator', 'keyed'],
  verify: (p) => ['verify', p],
  latest: (p) => ['latest', p],
  relocate: (p) => ['relocate', p, out('relocate')],
  modify: (p) => ['modify', p, out('modify'), '--drop', 'keyed'],
  diff: (p) => ['diff', p, SAMPLE],
  gc: (p) => ['gc', p],
  report: (p) => ['report', p, '--out', `${out('report')}.html`],
};

beforeAll(() => mkdirSync(join(tmp, 'out')));

describe('every command on a path that does not exist', () => {
  const missing = join(tmp, 'no-such-savepoint');
  for (const [name, args] of Object.entries(COMMANDS)) {
    it(name, async () => {
      const r = await ckpt(args(missing));
      expect(r.code, r.stderr).toBeGreaterThan(0);
      expect(r.code).toBeLessThan(3);
      expect(r.stderr).toContain('no-such-savepoint');
      expect(r.stderr).toMatch(/\n {2}hint: (check the path|no such file or directory: check the path)/);
      expect(r.stdout).toBe('');
    });
  }

  it('golden: inspect', async () => {
    expect(await golden(['inspect', missing])).toEqual({
      code: 2,
      stderr:
        "ckpt: NotFound: resolve: Cannot find checkpoint or savepoint file/directory '<tmp>/no-such-savepoint' on file system 'file'. (<tmp>/no-such-savepoint)\n" +
        '  hint: check the path: give a checkpoint/savepoint directory, its _metadata file, or a storage URI (s3://, hdfs://, gs://, abfs://, http://)',
    });
  });
});

describe('every command on something that is not a checkpoint', () => {
  const notCheckpoint = join(tmp, 'not-a-checkpoint');
  beforeAll(() => {
    mkdirSync(notCheckpoint);
    writeFileSync(join(notCheckpoint, '_metadata'), 'this is a text file, not Flink metadata\n');
  });
  for (const [name, args] of Object.entries(COMMANDS)) {
    it(name, async () => {
      const r = await ckpt(args(notCheckpoint));
      if (name === 'latest') {
        // a directory without chk-<n> directories: no checkpoint, the documented exit code 5
        expect(r.code).toBe(5);
        expect(r.stdout).toMatch(/no complete checkpoint under/);
        return;
      }
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/\n {2}hint: (this is not a readable Flink _metadata file|give a binary _metadata file|check the path)/);
    });
  }

  it('golden: inspect', async () => {
    expect(await golden(['inspect', notCheckpoint])).toEqual({
      code: 2,
      stderr:
        'ckpt: BadMagic: expected magic 0x4960672d, found 0x74686973 (file:<tmp>/not-a-checkpoint/_metadata, offset 0)\n' +
        '  hint: this is not a readable Flink _metadata file: give a checkpoint/savepoint directory, its _metadata file, or a storage URI (s3://, hdfs://, gs://, abfs://, http://)',
    });
  });
});

describe('every command on storage that cannot be reached (refused port)', () => {
  let port: number;
  const env = { ...process.env };
  beforeAll(async () => {
    port = await refusedPort();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    });
  });
  afterAll(() => {
    process.env = env;
  });

  it('each names the storage and says to check the server and endpoint', async () => {
    const results = await Promise.all(
      Object.entries(COMMANDS).map(async ([name, args]) => [name, await ckpt(args(`webhdfs://127.0.0.1:${port}/savepoints/sp-1`))] as const),
    );
    for (const [name, r] of results) {
      expect(r.code, `${name}: ${r.stderr}`).toBe(1);
      expect(r.stderr, name).toContain(`127.0.0.1:${port}`);
      expect(r.stderr, name).toMatch(/hint: the storage could not be reached: check that its server is up/);
    }
  });

  it('S3 too', async () => {
    const r = await ckpt(['inspect', 's3://bucket/savepoints/sp-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ckpt: Transient: .*ECONNREFUSED.*\(s3:\/\/bucket\/savepoints\/sp-1\)\n {2}hint: the storage could not be reached/);
  });
});

describe('commands that take a job, with an invalid job file', () => {
  const cases = {
    'not JSON': '{vertices: [',
    'wrong shape': '{"vertices": 3}',
    'unknown operator reference': '{"vertices": [{"name": "v", "parallelism": 2, "operators": [{"uid": "x", "id": "not-hex"}]}]}',
  };
  for (const cmd of ['plan', 'check', 'report'] as const) {
    for (const [what, text] of Object.entries(cases)) {
      it(`${cmd}: ${what}`, async () => {
        const job = join(tmp, `job-${cmd}-${what.replace(/\W+/g, '-')}.json`);
        writeFileSync(job, text);
        const r = await ckpt([cmd, SAMPLE, '--job', job, ...(cmd === 'report' ? ['--out', `${out('r')}.html`] : [])]);
        expect(r.code, r.stderr).toBe(2);
        expect(r.stderr).toMatch(/^ckpt: InvalidJobDescription: /);
        expect(r.stderr).toMatch(/\n {2}hint: fix the --job file: ckpt job JSON \(schemas\/job-description.schema.json\)/);
      });
    }
    it(`${cmd}: a job file that does not exist`, async () => {
      const r = await ckpt([cmd, SAMPLE, '--job', join(tmp, 'missing-job.json'), ...(cmd === 'report' ? ['--out', `${out('r')}.html`] : [])]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ENOENT.*missing-job\.json'\n {2}hint: no such file or directory: check the path/);
    });
  }
});
