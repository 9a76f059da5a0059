/**
 * `ckpt ha set-latest | repair | restore-backup` on ConfigMap exports (no servers needed; the
 * real-server proofs are in ha-flink-zookeeper.test.ts): dry runs write nothing, --apply writes
 * the edited ConfigMap and a backup, the backup gives the original back, a live leader lease is
 * refused, and repair will not empty a store unless told.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LEADER_ANNOTATION, latestEntry, readCompletedCheckpoint, readConfigMapStore, readKubernetesHandle, writeKubernetesHandle } from '@ckpt/ha';
import { decodeMetadata, encodeMetadata } from '@ckpt/format';
import { run, type Io } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = join(root, 'packages/ha/test/fixtures/2.3.0/configmap.json');
const work = mkdtempSync(join(tmpdir(), 'ckpt-ha-write-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

describe('ckpt ha set-latest on a ConfigMap export', () => {
  it('dry run: prints every change, writes nothing', async () => {
    const backups = join(work, 'dry-backups');
    const io = capture();
    expect(await run(['ha', 'set-latest', '3', '--configmap', fixture, '--backup-dir', backups, '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('\n')) as { remove: { id: number }[]; latestBefore: number; latestAfter: number; applied: boolean };
    expect(r).toMatchObject({ latestBefore: 5, latestAfter: 3, applied: false });
    expect(r.remove.map((x) => x.id)).toEqual([4, 5]);
    expect(existsSync(backups)).toBe(false);
  });

  it('--apply: the edited ConfigMap and a backup; restore-backup gives the original back', async () => {
    const backups = join(work, 'backups');
    const edited = join(work, 'edited.json');
    const io = capture();
    expect(await run(['ha', 'set-latest', '3', '--configmap', fixture, '--apply', '--output', edited, '--backup-dir', backups], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain(`kubectl replace -f ${edited}`);
    expect(latestEntry(readConfigMapStore(readFileSync(edited, 'utf8')))?.id).toBe(3);
    const [backup] = readdirSync(backups);
    const restored = capture();
    expect(await run(['ha', 'restore-backup', join(backups, backup!)], restored)).toBe(0);
    expect(JSON.parse(restored.stdout.join('\n'))).toEqual(JSON.parse(readFileSync(fixture, 'utf8')));
    expect(restored.stderr.join('\n')).toContain('backup of set-latest');
  });

  it('--output -: the ConfigMap alone on stdout (YAML on request)', async () => {
    const io = capture();
    expect(await run(['ha', 'set-latest', '4', '--configmap', fixture, '--apply', '--output', '-', '--format', 'yaml', '--backup-dir', join(work, 'b2')], io)).toBe(0);
    const store = readConfigMapStore(io.stdout.join('\n'));
    expect(store.entries.map((e) => e.id)).toEqual([3, 4]);
  });

  it('refuses while a JobManager holds the leader lease (exit 7, nothing written)', async () => {
    const cm = JSON.parse(readFileSync(fixture, 'utf8')) as { metadata: { annotations?: Record<string, string> } };
    const renewTime = new Date().toISOString();
    cm.metadata.annotations = { [LEADER_ANNOTATION]: JSON.stringify({ holderIdentity: 'jm-0', leaseDuration: 3600, acquireTime: renewTime, renewTime, leaderTransitions: 0 }) };
    const leased = join(work, 'leased.json');
    writeFileSync(leased, JSON.stringify(cm));
    const backups = join(work, 'leased-backups');
    const io = capture();
    expect(await run(['ha', 'set-latest', '3', '--configmap', leased, '--apply', '--output', join(work, 'never.json'), '--backup-dir', backups], io)).toBe(7);
    expect(io.stdout.join('\n')).toMatch(/running: .*leader jm-0/);
    expect(existsSync(backups) || existsSync(join(work, 'never.json'))).toBe(false);
    expect(await run(['ha', 'set-latest', '3', '--configmap', leased, '--apply', '--force', '--output', join(work, 'forced.json'), '--backup-dir', backups], capture())).toBe(0);
  });
});

describe('ckpt ha repair on a ConfigMap export whose files are all gone', () => {
  it('will not empty the store unless --allow-empty', async () => {
    // the fixture's entries, pointing into a directory that does not exist
    const cm = JSON.parse(readFileSync(fixture, 'utf8')) as { data: Record<string, string> };
    for (const [k, v] of Object.entries(cm.data)) {
      if (!k.startsWith('checkpointID-')) continue;
      const h = readKubernetesHandle(v, k);
      cm.data[k] = writeKubernetesHandle({ ...h, file: `file:${work}/gone/${h.file.slice(h.file.lastIndexOf('/') + 1)}` });
    }
    const gone = join(work, 'gone.json');
    writeFileSync(gone, JSON.stringify(cm));
    const io = capture();
    expect(await run(['ha', 'repair', '--configmap', gone, '--apply', '--backup-dir', join(work, 'r')], io)).toBe(2);
    expect(io.stderr.join('\n')).toContain('--allow-empty');
    expect(existsSync(join(work, 'r'))).toBe(false);
    const dry = capture();
    expect(await run(['ha', 'repair', '--configmap', gone, '--allow-empty', '--json'], dry)).toBe(0);
    const plan = JSON.parse(dry.stdout.join('\n')) as { remove: { id: number; reason: string }[]; latestAfter: number | null };
    expect(plan.remove.map((r) => [r.id, r.reason.split(' ')[0]])).toEqual([[3, 'HaFileMissing'], [4, 'HaFileMissing'], [5, 'HaFileMissing']]);
    expect(plan.latestAfter).toBeNull();
    const out = join(work, 'emptied.json');
    expect(await run(['ha', 'repair', '--configmap', gone, '--apply', '--allow-empty', '--output', out, '--backup-dir', join(work, 'r')], capture())).toBe(0);
    const store = readConfigMapStore(readFileSync(out, 'utf8'));
    expect(store.entries).toEqual([]);
    expect(store.counter).toBe(6);
  });
});

describe('ckpt ha set-latest of a checkpoint without completedCheckpoint file (ConfigMap export)', () => {
  const snapshot = join(root, 'packages/ha/test/restore-fixtures/checkpoint-2.3');

  it('needs the Flink line when no HA file of the store can be read', async () => {
    const io = capture();
    expect(await run(['ha', 'set-latest', snapshot, '--configmap', fixture, '--ha-dir', join(work, 'ha-none')], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/give --flink-version/);
  });

  it('dry run names the new file; --apply writes it before the ConfigMap, the backup records it', async () => {
    const haDir = join(work, 'ha-new');
    const dry = capture();
    expect(await run(['ha', 'set-latest', snapshot, '--configmap', fixture, '--ha-dir', haDir, '--flink-version', '2.3.0', '--json'], dry), dry.stderr.join('\n')).toBe(0);
    const plan = JSON.parse(dry.stdout.join('\n')) as { latestAfter: number; remove: { id: number }[]; add: { id: number; haFile: string; created: { flinkLine: string } } };
    expect(plan).toMatchObject({ latestAfter: 2, add: { id: 2, created: { flinkLine: '2.3' } } });
    expect(plan.remove.map((r) => r.id)).toEqual([3, 4, 5]);
    expect(plan.add.haFile).toMatch(new RegExp(`^file:${haDir}/completedCheckpoint[0-9a-f]{12}$`));
    expect(existsSync(haDir)).toBe(false);

    const edited = join(work, 'edited-new.json');
    const backups = join(work, 'backups-new');
    const io = capture();
    expect(
      await run(['ha', 'set-latest', snapshot, '--configmap', fixture, '--ha-dir', haDir, '--flink-version', '2.3.0', '--apply', '--output', edited, '--backup-dir', backups], io),
      io.stderr.join('\n'),
    ).toBe(0);
    const store = readConfigMapStore(readFileSync(edited, 'utf8'));
    const entry = latestEntry(store)!;
    expect(entry.id).toBe(2);
    const [file] = readdirSync(haDir);
    expect(entry.handle?.file).toBe(`file:${join(haDir, file!)}`);
    const bytes = new Uint8Array(readFileSync(join(haDir, file!)));
    expect(entry.handle?.size).toBe(bytes.length);
    const cp = readCompletedCheckpoint(bytes, file!);
    expect(cp).toMatchObject({ checkpointId: 2, jobId: store.jobId, timestamp: 0, externalPointer: `file:${snapshot}`, metadataFile: `file:${snapshot}/_metadata` });
    expect(cp.restoredProperties?.snapshotType.kind).toBe('checkpoint');
    const [backupName] = readdirSync(backups);
    const backup = JSON.parse(readFileSync(join(backups, backupName!), 'utf8')) as { files: { uri: string; size: number }[] };
    expect(backup.files).toEqual([expect.objectContaining({ uri: entry.handle!.file, size: bytes.length })]);
    const restored = capture();
    expect(await run(['ha', 'restore-backup', join(backups, backupName!)], restored)).toBe(0);
    expect(restored.stderr.join('\n')).toContain(`then remove ${entry.handle!.file}`);
  });
});

describe('ckpt ha set-latest of a checkpoint ckpt cannot write a completedCheckpoint file for', () => {
  it('unaligned-checkpoint channel state: a typed error that says to restore with -s, nothing written', async () => {
    const md = decodeMetadata(readFileSync(join(root, 'packages/ha/test/restore-fixtures/checkpoint-2.3/_metadata')));
    const subtask = md.operators.find((o) => o.subtasks.length > 0)!.subtasks[0]!;
    subtask.inputChannelState = [{ kind: 'inputChannel', gateIndex: 0, inputChannelIndex: 1, subtaskIndex: subtask.index, offsets: [0n], stateSize: 4n, delegate: { kind: 'byteStream', name: 'x', data: new Uint8Array(4) } }];
    const dir = join(work, 'unaligned', 'chk-2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, '_metadata'), encodeMetadata(md));
    const haDir = join(work, 'ha-unaligned');
    const io = capture();
    expect(await run(['ha', 'set-latest', dir, '--configmap', fixture, '--ha-dir', haDir, '--flink-version', '2.3', '--apply', '--backup-dir', join(work, 'b-unaligned')], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/Unsupported: cannot write a completedCheckpoint file for file:\S+chk-2: .*unaligned-checkpoint channel state; restore it with `-s file:\S+chk-2`/);
    expect(existsSync(haDir)).toBe(false);
    expect(existsSync(join(work, 'b-unaligned'))).toBe(false);
  });
});
