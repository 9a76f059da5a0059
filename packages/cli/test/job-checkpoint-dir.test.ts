import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotACheckpointError, resolveCheckpointPointer, StorageError } from '@ckpt/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ckpt } from './support/run.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const FIXTURES = join(root, 'fixtures/generated/2.3.0');

/**
 * A job's checkpoint directory as Flink lays it out: chk-3 (a real checkpoint's _metadata), chk-5
 * (a savepoint with relative handles, so its state files travel with it), chk-7 without _metadata
 * (in progress), shared/ and taskowned/.
 */
let base: string;
let job: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'ckpt-jobdir-'));
  job = join(base, '318b58ef09cc2553d61e446d1067be79');
  cpSync(join(FIXTURES, 'keyed-hashmap-checkpoint/318b58ef09cc2553d61e446d1067be79/chk-2/_metadata'), join(job, 'chk-3/_metadata'));
  cpSync(join(FIXTURES, 'keyed-hashmap-savepoint'), join(job, 'chk-5'), { recursive: true });
  for (const d of ['chk-7', 'shared', 'taskowned']) mkdirSync(join(job, d), { recursive: true });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const COMMANDS: [string, string[]][] = [
  ['inspect', []],
  ['verify', []],
  ['plan', ['-p', '2']],
  ['check', ['-p', '2']],
  ['dump-state', ['--operator', 'keyed']],
  ['report', ['--out', join(tmpdir(), 'ckpt-never-written.html')]],
];

describe("pointing a command at a job's checkpoint directory", () => {
  it('resolution names the checkpoints it holds and the latest complete one', async () => {
    const e = await resolveCheckpointPointer(job).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(NotACheckpointError);
    const n = e as NotACheckpointError;
    expect(n.code).toBe('NotFound');
    expect(n.checkpoints.map((c) => c.name)).toEqual(['chk-3', 'chk-5', 'chk-7']);
    expect(n.latest?.name).toBe('chk-5');
    expect(n.message).toContain('chk-3, chk-5, chk-7 (incomplete)');
    expect(n.message).toMatch(/the latest complete one is '[^']*\/chk-5'/);
    // state.checkpoints.dir above the job directory: the same, with the job id
    const above = (await resolveCheckpointPointer(base).catch((x: unknown) => x)) as NotACheckpointError;
    expect(above.latest?.uri).toBe(n.latest?.uri);
    expect(above.message).toContain('318b58ef09cc2553d61e446d1067be79/chk-5');
    // a directory without checkpoints keeps Flink's message
    const plain = (await resolveCheckpointPointer(join(job, 'shared')).catch((x: unknown) => x)) as StorageError;
    expect(plain).not.toBeInstanceOf(NotACheckpointError);
    expect(plain.message).toContain("Cannot find meta data file '_metadata'");
  });

  it.each(COMMANDS)('%s says which chk-<n> it holds and suggests ckpt latest and --latest', async (cmd, extra) => {
    const r = await ckpt([cmd, job, ...extra]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('it holds checkpoints, it is not one (chk-3, chk-5, chk-7 (incomplete))');
    expect(r.stderr).toMatch(/the latest complete one is '[^']*\/chk-5'/);
    expect(r.stderr).toContain(`hint: give one of its chk-<n> directories: \`ckpt latest ${job}\` names the newest complete one, and --latest takes it`);
  });

  it.each(COMMANDS)('%s --latest takes the newest complete chk-<n>: the same as naming it', async (cmd, extra) => {
    const out = cmd === 'report' ? ['--out', join(base, `${cmd}-latest.html`)] : extra;
    const latest = await ckpt([cmd, job, '--latest', ...out]);
    const named = await ckpt([cmd, join(job, 'chk-5'), ...(cmd === 'report' ? ['--out', join(base, `${cmd}-named.html`)] : extra)]);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toBe(named.stdout);
    if (cmd !== 'report') expect(latest.stdout).not.toBe('');
    expect(latest.stderr).toContain(`using ${join(job, 'chk-5')}, the newest complete checkpoint under ${job}`);
  });

  it('--latest where there is no complete checkpoint', async () => {
    const r = await ckpt(['inspect', join(job, 'shared'), '--latest']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no complete checkpoint (chk-<n> with a _metadata)');
    const q = await ckpt(['-q', 'inspect', base, '--latest', '--json']);
    expect(q.code).toBe(0);
    expect(q.stderr).toBe('');
    expect(JSON.parse(q.stdout).file).toMatch(/\/chk-5\/_metadata$/);
  });
});
