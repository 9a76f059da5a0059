/**
 * Real servers: the conformance `ha` tool runs a job with ZooKeeper HA in a MiniCluster of each
 * Flink line, takes checkpoints, loses its JobManager (HA data kept), and reports what Flink's
 * own HA classes read from ZooKeeper. While ZooKeeper keeps running, ckpt reads the same store
 * over the network; then the tool starts a new JobManager that recovers the job from HA and
 * reports which checkpoint the restore used — it must be the one `ckpt ha latest` named.
 *
 * The write side on the same ZooKeeper and cluster: `ckpt ha set-latest` is refused while a
 * JobManager runs the job; applied, the next failover restores exactly the chosen older
 * checkpoint and Flink's next checkpoint takes the id of the counter ckpt left. With the
 * latest checkpoint's files deleted, Flink's recovery fails (control); after `ckpt ha repair`
 * it recovers the previous checkpoint. A checkpoint without entry is re-added from its
 * completedCheckpoint file, Flink's HA classes read it back, and `ckpt ha restore-backup`
 * undoes both changes. On 2.3 the edited ConfigMaps are read by flink-kubernetes' own
 * completed-checkpoint store and counter.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  applyZooKeeperPlan,
  followStore,
  planSetLatest,
  readZooKeeperStore,
  verifyStore,
  writeZooKeeperHandle,
  ZooKeeperSession,
  buildCompletedCheckpoint,
  flinkLine,
  writeJavaObjectStream,
  type HaStore,
} from '@ckpt/ha';
import { decodeMetadata } from '@ckpt/format';
import { maskStateHandleIds as maskIds, stateHandleIds } from '../../ha/test/support/state-handle-ids.js';
import { run, type Io } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const localPath = (uri: string): string => fileURLToPath(uri.replace(/^file:(?!\/\/)/, 'file://'));
const shape = (s: HaStore): [number | null, boolean][] => s.entries.map((e) => [e.id, e.markedForDeletion]);
const backupOf = (out: string[]): string => /^backup: (.+)$/m.exec(out.join('\n'))![1]!;
const LINES = ['1.20', '2.0', '2.3'];
const SNAPSHOT_LINES = process.env.CKPT_HA_ALL === '1' ? LINES : ['2.3'];

/** The checkpoint id of a `_metadata` file (the long after magic and version). */
function metadataId(dir: string): number {
  return Number(readFileSync(join(dir, '_metadata')).readBigInt64BE(8));
}

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

interface Stored {
  flinkVersion: string;
  zookeeper: string;
  root: string;
  clusterId: string;
  jobId: string;
  /** The same store as a Kubernetes HA ConfigMap export (flink-kubernetes is served for 2.3 only). */
  configMap: string | null;
  flink: { checkpoints: { id: number; externalPointer: string; timestamp: number }[]; latest: number; counter: number };
}
interface Restored {
  restoredCheckpointId: number;
  restoredExternalPath: string;
}
interface FlinkStore {
  checkpoints: { id: number; externalPointer: string }[];
  latest?: number;
  counter: number;
}
/** A failover that also tells whether the restored job runs (a checkpoint completes) or fails. */
interface Checked extends Restored {
  recovered: boolean;
  checkpointId?: number;
  checkpointPath?: string;
  failure?: string;
  flinkAfter: FlinkStore;
}

/** The running tool: JSON events from stdout, commands to stdin. */
class HaTool {
  private readonly events: unknown[] = [];
  private waiting: ((v: unknown) => void) | undefined;
  private readonly proc: ChildProcessWithoutNullStreams;
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(line: string, work: string) {
    this.proc = spawn(join(root, 'conformance/run.sh'), [line, 'ha', '--work', work], { stdio: 'pipe' });
    this.proc.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
      if (process.env.CKPT_HA_DEBUG) process.stderr.write(d);
    });
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      if (!l.startsWith('{')) return;
      const ev = JSON.parse(l) as unknown;
      if (process.env.CKPT_HA_DEBUG) console.error(`[ha tool event] ${l.slice(0, 300)}`);
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(ev);
      } else this.events.push(ev);
    });
    this.exited = new Promise((res) => this.proc.on('exit', (code) => res(code)));
    void this.exited.then(() => this.waiting?.(new Error(`ha tool exited early: ${this.stderr}`)));
  }

  async next<T>(): Promise<T> {
    const ev = this.events.shift() ?? (await new Promise((res) => (this.waiting = res)));
    if (ev instanceof Error) throw ev;
    return ev as T;
  }

  send(s: string): void {
    if (process.env.CKPT_HA_DEBUG) console.error(`[ha tool] ${s}`);
    this.proc.stdin.write(`${s}\n`);
  }

  async close(): Promise<number | null> {
    this.proc.stdin.end();
    return this.exited;
  }
}

const zooKeeper = createRequire(import.meta.url)('node-zookeeper-client') as typeof import('node-zookeeper-client');

/** A plain ZooKeeper client, as an operator or a JobManager would use. */
async function connectZk(connect: string): Promise<import('node-zookeeper-client').Client> {
  const client = zooKeeper.createClient(connect);
  await new Promise<void>((res) => {
    client.once('connected', res);
    client.connect();
  });
  return client;
}

/** Deletes one (childless) znode. */
async function removeZnode(connect: string, path: string): Promise<void> {
  const client = await connectZk(connect);
  try {
    await new Promise<void>((res, rej) => client.remove(path, (e) => (e ? rej(e) : res())));
  } finally {
    client.close();
  }
}

function ensureBuilt(line: string): void {
  if (existsSync(join(root, `conformance/target/flink-${line}/classpath.txt`))) return;
  execFileSync('bash', [join(root, 'scripts/conformance.sh'), 'build'], { env: { ...process.env, CKPT_FLINK_LINES: line }, stdio: 'ignore' });
}

describe.each(LINES)('Flink %s with ZooKeeper HA', (line) => {
  it('ckpt reads the store Flink wrote, and `ckpt ha latest` names the checkpoint Flink restores after a failover', { timeout: 600_000 }, async () => {
    ensureBuilt(line);
    const work = mkdtempSync(join(tmpdir(), `ckpt-ha-${line}-`));
    const tool = new HaTool(line, work);
    try {
      const stored = await tool.next<Stored>();
      const flink = stored.flink;
      expect(flink.checkpoints.length).toBeGreaterThan(1);
      const zk = ['--zookeeper', stored.zookeeper, '--root', stored.root, '--cluster-id', stored.clusterId];

      // the library, over the network
      const store = await readZooKeeperStore({ connect: stored.zookeeper, root: stored.root, clusterId: stored.clusterId, jobId: stored.jobId });
      expect(store.entries.map((e) => e.id)).toEqual(flink.checkpoints.map((c) => c.id));
      expect(store.entries.every((e) => !e.markedForDeletion && e.locks !== undefined)).toBe(true);
      expect(store.counter).toBe(flink.counter);
      const followed = await followStore(store);
      expect(followed.entries.map((f) => f.checkpoint?.externalPointer)).toEqual(flink.checkpoints.map((c) => c.externalPointer));
      expect(followed.entries.map((f) => f.checkpoint?.timestamp)).toEqual(flink.checkpoints.map((c) => c.timestamp));

      // the CLI: latest (job found without --job), list, verify
      const latest = capture();
      expect(await run(['ha', 'latest', ...zk, '--json'], latest)).toBe(0);
      const ckptLatest = JSON.parse(latest.stdout.join('\n')) as { id: number; externalPointer: string; counter: number; jobId: string };
      expect(ckptLatest.id).toBe(flink.latest);
      expect(ckptLatest.jobId).toBe(stored.jobId);
      expect(ckptLatest.counter).toBe(flink.counter);
      const list = capture();
      expect(await run(['ha', 'list', ...zk, '--job', stored.jobId, '--json'], list)).toBe(0);
      const listed = JSON.parse(list.stdout.join('\n')) as { entries: { id: number; externalPointer: string; latest: boolean }[]; counter: number };
      expect(listed.entries.map((e) => [e.id, e.externalPointer])).toEqual(flink.checkpoints.map((c) => [c.id, c.externalPointer]));
      expect(listed.entries.filter((e) => e.latest).map((e) => e.id)).toEqual([flink.latest]);
      const verified = capture();
      expect(await run(['ha', 'verify', ...zk, '--job', stored.jobId], verified)).toBe(0);
      expect(verified.stdout.at(-1)).toMatch(/^OK/);

      // Kubernetes HA: the same handles and counter as a ConfigMap written with flink-kubernetes' classes
      expect(stored.configMap !== null).toBe(line === '2.3');
      if (stored.configMap !== null) {
        const k8s = capture();
        expect(await run(['ha', 'latest', '--configmap', stored.configMap, '--json'], k8s)).toBe(0);
        expect(JSON.parse(k8s.stdout.join('\n'))).toMatchObject({ id: flink.latest, externalPointer: ckptLatest.externalPointer, counter: flink.counter });
        expect(await run(['ha', 'verify', '--configmap', stored.configMap], capture())).toBe(0);

        // set-latest on the ConfigMap: the edited ConfigMap, read by flink-kubernetes' own store and counter
        const oldestId = flink.checkpoints[0]!.id;
        const edited = join(work, 'cm-oldest.json');
        const setCm = capture();
        expect(await run(['ha', 'set-latest', String(oldestId), '--configmap', stored.configMap, '--apply', '--output', edited, '--backup-dir', join(work, 'backups')], setCm)).toBe(0);
        expect(setCm.stdout.join('\n')).toContain(`kubectl replace -f ${edited}`);
        tool.send(`read-configmap ${edited}`);
        const k8sRead = await tool.next<FlinkStore>();
        expect(k8sRead.checkpoints.map((c) => c.id)).toEqual([oldestId]);
        expect(k8sRead.latest).toBe(oldestId);
        expect(k8sRead.counter).toBe(flink.counter);
        // … and a checkpoint without entry, found by its directory in the HA storage directory: re-added as Flink adds one
        const newest = flink.checkpoints.at(-1)!;
        const readded = join(work, 'cm-readded.json');
        expect(await run(['ha', 'set-latest', localPath(newest.externalPointer), '--configmap', edited, '--apply', '--output', readded, '--backup-dir', join(work, 'backups')], capture())).toBe(0);
        tool.send(`read-configmap ${readded}`);
        const k8sReadded = await tool.next<FlinkStore>();
        expect(k8sReadded.checkpoints.map((c) => [c.id, c.externalPointer])).toEqual([[oldestId, flink.checkpoints[0]!.externalPointer], [newest.id, newest.externalPointer]]);
        expect(k8sReadded.latest).toBe(newest.id);
        expect(k8sReadded.counter).toBe(flink.counter);
      }

      // the failover: a new JobManager recovers the job from HA
      tool.send('failover');
      const restored = await tool.next<Restored>();
      expect(restored.restoredCheckpointId).toBe(ckptLatest.id);
      expect(restored.restoredExternalPath).toBe(ckptLatest.externalPointer);

      // an entry whose `locks` node is gone is marked for deletion: ckpt and a second failover skip it
      const latestPath = followed.latest!.entry.source;
      await removeZnode(stored.zookeeper, `${latestPath}/locks`);
      const previous = followed.entries.at(-2)!;
      const skipped = capture();
      expect(await run(['ha', 'latest', ...zk, '--json'], skipped)).toBe(0);
      const ckptPrevious = JSON.parse(skipped.stdout.join('\n')) as { id: number; externalPointer: string };
      expect(ckptPrevious.id).toBe(previous.entry.id);
      tool.send('failover');
      const restoredAgain = await tool.next<Restored>();
      expect(restoredAgain.restoredCheckpointId).toBe(ckptPrevious.id);
      expect(restoredAgain.restoredExternalPath).toBe(ckptPrevious.externalPointer);

      // ---- set-latest: a failover restores exactly the oldest retained checkpoint
      const readStore = (): Promise<HaStore> => readZooKeeperStore({ connect: stored.zookeeper, root: stored.root, clusterId: stored.clusterId });
      const oldest0 = followed.entries[0]!;
      const beforeSet = await readStore();
      const dry = capture();
      expect(await run(['ha', 'set-latest', localPath(oldest0.checkpoint!.externalPointer!), ...zk], dry)).toBe(0);
      expect(dry.stdout.join('\n')).toMatch(/dry run: nothing was changed/);
      expect(dry.stdout.filter((l) => l.trim().startsWith('remove')).length).toBe(beforeSet.entries.length - 1);
      expect(shape(await readStore())).toEqual(shape(beforeSet));
      const backups = join(work, 'backups');
      // … refused while a JobManager runs the job
      const backupCount = (): number => (existsSync(backups) ? readdirSync(backups).length : 0);
      const backupsBefore = backupCount();
      tool.send('hold');
      expect(await tool.next<{ event: string }>()).toMatchObject({ event: 'running' });
      const refused = capture();
      expect(await run(['ha', 'set-latest', String(oldest0.entry.id), ...zk, '--apply', '--backup-dir', backups], refused)).toBe(7);
      expect(refused.stdout.join('\n')).toMatch(/refused: .*leader latch/s);
      expect(backupCount()).toBe(backupsBefore); // refused before any backup or change
      tool.send('release');
      expect(await tool.next<{ event: string }>()).toMatchObject({ event: 'released' });
      expect(shape(await readStore())).toEqual(shape(beforeSet));
      const setLatest = capture();
      expect(await run(['ha', 'set-latest', localPath(oldest0.checkpoint!.externalPointer!), ...zk, '--apply', '--backup-dir', backups], setLatest)).toBe(0);
      const setBackup = backupOf(setLatest.stdout);
      expect(JSON.parse(readFileSync(setBackup, 'utf8')).before.length).toBeGreaterThan(0);
      const afterSet = await readStore();
      expect(shape(afterSet)).toEqual([[oldest0.entry.id, false]]);
      expect(afterSet.counter).toBe(beforeSet.counter); // already past the id: never lowered
      tool.send('failover-check');
      const fromOldest = await tool.next<Checked>();
      expect(fromOldest.restoredCheckpointId).toBe(oldest0.entry.id);
      expect(fromOldest.restoredExternalPath).toBe(oldest0.checkpoint!.externalPointer);
      expect(fromOldest.recovered).toBe(true);
      expect(fromOldest.checkpointId).toBe(afterSet.counter); // Flink's next id is the counter ckpt left
      const afterRun = await readStore();
      expect(afterRun.entries.map((e) => e.id)).toEqual(fromOldest.flinkAfter.checkpoints.map((c) => c.id));
      expect(afterRun.counter).toBe(fromOldest.flinkAfter.counter);
      expect(afterRun.counter).toBe(fromOldest.checkpointId! + 1);

      // ---- repair: the latest checkpoint's files are gone, so Flink's recovery fails (control) …
      const lostDir = localPath(fromOldest.checkpointPath!);
      for (const f of readdirSync(lostDir)) rmSync(join(lostDir, f));
      tool.send('failover-check');
      const broken0 = await tool.next<Checked>();
      expect(broken0.restoredCheckpointId).toBe(fromOldest.checkpointId);
      expect(broken0.recovered).toBe(false);
      // … `ha repair` removes that entry (dry run first), and the next failover recovers the previous checkpoint
      const repairDry = capture();
      expect(await run(['ha', 'repair', ...zk], repairDry)).toBe(0);
      expect(repairDry.stdout.filter((l) => l.trim().startsWith('remove'))).toEqual([expect.stringContaining(`checkpoint ${fromOldest.checkpointId}:`)]);
      expect(shape(await readStore())).toEqual(shape(afterRun));
      const repaired = capture();
      expect(await run(['ha', 'repair', ...zk, '--apply', '--backup-dir', backups], repaired)).toBe(0);
      expect(shape(await readStore())).toEqual([[oldest0.entry.id, false]]);
      tool.send('failover-check');
      const recovered = await tool.next<Checked>();
      expect(recovered.restoredCheckpointId).toBe(oldest0.entry.id);
      expect(recovered.recovered).toBe(true);
      expect(recovered.checkpointId).toBe(afterRun.counter);

      // ---- set-latest of a checkpoint without entry: its completedCheckpoint file is found in the HA directory and re-added
      const second = followed.entries[1]!;
      const readd = capture();
      expect(await run(['ha', 'set-latest', localPath(second.checkpoint!.externalPointer!), ...zk, '--apply', '--backup-dir', backups], readd)).toBe(0);
      const readdBackup = backupOf(readd.stdout);
      tool.send('read');
      const flinkReadd = await tool.next<FlinkStore>();
      expect(flinkReadd.checkpoints.map((c) => [c.id, c.externalPointer])).toEqual([
        [oldest0.entry.id, oldest0.checkpoint!.externalPointer],
        [second.entry.id, second.checkpoint!.externalPointer],
      ]);
      expect(flinkReadd.counter).toBe(recovered.flinkAfter.counter);

      // ---- undo, newest change first: the store is as before set-latest, plus the checkpoint taken since
      expect(await run(['ha', 'restore-backup', readdBackup, '--zookeeper', stored.zookeeper, '--apply'], capture())).toBe(0);
      expect(await run(['ha', 'restore-backup', setBackup, '--zookeeper', stored.zookeeper, '--apply'], capture())).toBe(0);
      const restoredStore = await readStore();
      expect(shape(restoredStore)).toEqual([...shape(beforeSet), [recovered.checkpointId!, false]]);
      expect(restoredStore.entries.map((e) => e.handle)).toEqual([...beforeSet.entries.map((e) => e.handle), restoredStore.entries.at(-1)!.handle]);

      // verify notices missing files: a state file of the oldest checkpoint, then an HA file
      const oldest = followed.entries[0]!.checkpoint!;
      const dir = fileURLToPath(oldest.externalPointer!.replace(/^file:(?!\/\/)/, 'file://'));
      const stateFile = readdirSync(dir).find((f) => f !== '_metadata');
      expect(stateFile).toBeDefined();
      rmSync(join(dir, stateFile!));
      const broken = capture();
      expect(await run(['ha', 'verify', ...zk, '--job', stored.jobId], broken)).toBe(4);
      expect(broken.stdout.join('\n')).toContain(`FileMissing: ${oldest.externalPointer}/${stateFile}`);
      rmSync(fileURLToPath(followed.entries[1]!.entry.handle!.file.replace(/^file:(?!\/\/)/, 'file://')));
      const report = await verifyStore(await readZooKeeperStore({ connect: stored.zookeeper, root: stored.root, clusterId: stored.clusterId }));
      expect(report.ok).toBe(false);
      expect(report.entries.map((f) => f.problems.map((p) => p.kind)[0] ?? 'ok')).toEqual(['FileMissing', 'HaFileMissing', ...report.entries.slice(2).map(() => 'ok')]);

      // ---- snapshots without completedCheckpoint file (2.3; every line with CKPT_HA_ALL=1: each adds
      // four JobManager starts, and the committed restore-by-path fixtures prove the bytes of each line)
      if (SNAPSHOT_LINES.includes(line)) {
        // ---- set-latest of a SAVEPOINT (no completedCheckpoint file anywhere): ckpt writes the file
        // Flink writes when it restores a snapshot by path, then the entry; a failover restores it
        // (first the entries broken above go: Flink's recovery reads every HA file of the store)
        expect(await run(['ha', 'repair', ...zk, '--apply', '--backup-dir', backups], capture())).toBe(0);
        const savepoints = pathToFileURL(join(work, 'savepoints')).href;
        tool.send(`savepoint ${savepoints}`);
        const sp = await tool.next<{ path: string; flinkAfter: FlinkStore }>();
        const spId = metadataId(localPath(sp.path));
        tool.send(`restore-by-path ${sp.path}`);
        const byPath = await tool.next<{ restoredCheckpointId: number; restoredExternalPath: string; haFiles: string[] }>();
        expect(byPath.restoredCheckpointId).toBe(spId);
        expect(byPath.haFiles.length).toBe(1);
        const flinkFile = new Uint8Array(readFileSync(byPath.haFiles[0]!));
        const spDry = capture();
        expect(await run(['ha', 'set-latest', localPath(sp.path), ...zk], spDry), spDry.stderr.join('\n')).toBe(0);
        expect(spDry.stdout.join('\n')).toMatch(new RegExp(`write +\\S+/completedCheckpoint[0-9a-f]{12} .*Flink ${line.replace('.', '\\.')}'s CompletedCheckpoint of checkpoint ${spId}`));
        const beforeSp = await readStore();
        const spSet = capture();
        expect(await run(['ha', 'set-latest', localPath(sp.path), ...zk, '--apply', '--backup-dir', backups], spSet), spSet.stderr.join('\n')).toBe(0);
        const spBackup = JSON.parse(readFileSync(backupOf(spSet.stdout), 'utf8')) as { files: { uri: string }[] };
        const afterSp = await readStore();
        expect(afterSp.entries.at(-1)!.id).toBe(spId);
        expect(afterSp.counter).toBe(spId + 1); // what Flink's restore of the savepoint sets (it was there already)
        const ours = afterSp.entries.at(-1)!.handle!.file;
        expect(spBackup.files.map((f) => f.uri)).toEqual([ours]);
        const oursBytes = new Uint8Array(readFileSync(localPath(ours)));
        // byte for byte what Flink wrote for the same savepoint, but for the ids Flink draws at random
        // on load (key-group handles of a savepoint): replayed from Flink's file, the bytes are equal
        const flinkIds = stateHandleIds(flinkFile);
        let next = 0;
        const replayed = writeJavaObjectStream(
          buildCompletedCheckpoint({
            jobId: stored.jobId,
            metadata: decodeMetadata(readFileSync(join(localPath(sp.path), '_metadata'))),
            metadataSize: statSync(join(localPath(sp.path), '_metadata')).size,
            externalPointer: sp.path.replace(/\/+$/, ''),
            line: flinkLine(line),
            randomUuid: () => flinkIds[next++]!,
          }),
        );
        expect(Buffer.from(replayed).equals(Buffer.from(flinkFile))).toBe(true);
        expect(next).toBe(flinkIds.length);
        expect(oursBytes.length).toBe(flinkFile.length);
        expect(maskIds(oursBytes)).toEqual(maskIds(flinkFile));
        tool.send('failover-check');
        const fromSp = await tool.next<Checked>();
        expect(fromSp.restoredCheckpointId).toBe(spId);
        expect(fromSp.restoredExternalPath).toBe(sp.path.replace(/\/+$/, ''));
        expect(fromSp.recovered).toBe(true);
        expect(fromSp.checkpointId).toBe(afterSp.counter);
        expect(fromSp.flinkAfter.latest).toBe(fromSp.checkpointId);

        // ---- a retained checkpoint whose completedCheckpoint file was deleted: repair drops its entry,
        // set-latest writes a new file and entry, and the next failover restores it
        const retained = await readStore();
        const lost = retained.entries.at(-1)!;
        expect(lost.id).toBe(fromSp.checkpointId);
        rmSync(localPath(lost.handle!.file));
        const repairLost = capture();
        expect(await run(['ha', 'repair', ...zk, '--apply', '--backup-dir', backups], repairLost)).toBe(0);
        expect((await readStore()).entries.map((e) => e.id), repairLost.stdout.join('\n')).not.toContain(lost.id);
        const reset = capture();
        expect(await run(['ha', 'set-latest', localPath(fromSp.checkpointPath!), ...zk, '--apply', '--backup-dir', backups], reset), reset.stderr.join('\n')).toBe(0);
        const readded = await readStore();
        expect(readded.entries.at(-1)!.id).toBe(lost.id);
        expect(readded.entries.at(-1)!.handle!.file).not.toBe(lost.handle!.file);
        tool.send('failover-check');
        const fromLost = await tool.next<Checked>();
        expect(fromLost.restoredCheckpointId).toBe(lost.id);
        expect(fromLost.restoredExternalPath).toBe(fromSp.checkpointPath!.replace(/\/+$/, ''));
        expect(fromLost.recovered).toBe(true);
        expect(fromLost.checkpointId).toBe(readded.counter);
        // undo: the entry goes and so does the file ckpt wrote
        const resetFile = readded.entries.at(-1)!.handle!.file;
        const undo = capture();
        expect(await run(['ha', 'restore-backup', backupOf(reset.stdout), '--zookeeper', stored.zookeeper, '--apply'], undo)).toBe(0);
        expect(undo.stdout.join('\n')).toContain(`done    delete  ${resetFile}`);
        expect(existsSync(localPath(resetFile))).toBe(false);
        expect((await readStore()).entries.map((e) => e.id), undo.stdout.join('\n')).not.toContain(lost.id);
        expect(beforeSp.entries.length).toBeGreaterThan(0);
      }

      // ---- the pre-1.14 layout on the same ZooKeeper: `<ns>/checkpoints/<job>/<%019d>`, a
      // JobManager's lock is an ephemeral child of the entry itself, no `locks` node, no deletion mark
      const legacyNs = `${stored.root}/legacy`;
      const legacyDir = `${legacyNs}/checkpoints/${stored.jobId}`;
      const lzk = ['--zookeeper', stored.zookeeper, '--root', stored.root, '--cluster-id', 'legacy'];
      const client = await connectZk(stored.zookeeper);
      const call = (f: (cb: (e: unknown) => void) => void): Promise<void> => new Promise((res, rej) => f((e) => (e ? rej(e) : res())));
      try {
        const current = await readStore();
        await call((cb) => client.mkdirp(legacyDir, cb));
        for (const e of current.entries) {
          await call((cb) => client.create(`${legacyDir}/${e.name}`, Buffer.from(writeZooKeeperHandle(e.handle!)), zooKeeper.CreateMode.PERSISTENT, cb));
        }
        const legacy = await readZooKeeperStore({ connect: stored.zookeeper, root: stored.root, clusterId: 'legacy' });
        expect(legacy.location).toBe(legacyDir);
        expect(shape(legacy)).toEqual(current.entries.map((e) => [e.id, false]));
        expect(legacy.counter).toBeNull();
        const first = current.entries[0]!;
        const lock = `${legacyDir}/${first.name}/${'0f'.repeat(16)}`;
        await call((cb) => client.create(lock, Buffer.alloc(0), zooKeeper.CreateMode.EPHEMERAL, cb));
        const locked = capture();
        expect(await run(['ha', 'set-latest', String(first.id), ...lzk, '--apply', '--backup-dir', backups], locked)).toBe(7);
        expect(locked.stdout.join('\n')).toContain(`${legacyDir}/${first.name} is locked by 1 JobManager(s)`);
        await call((cb) => client.remove(lock, -1, cb));
        // a plan whose entry vanished before it was applied: Conflict, nothing written
        const session = await ZooKeeperSession.open(stored.zookeeper);
        try {
          const plan = planSetLatest(legacy, first.id!);
          const vanished = plan.remove.at(-1)!.entry;
          await call((cb) => client.remove(vanished.source, -1, cb));
          await expect(applyZooKeeperPlan(session, plan, { backupDir: join(work, 'conflict') })).rejects.toMatchObject({ code: 'Conflict' });
          expect(existsSync(join(work, 'conflict'))).toBe(false);
          const untouched = await readZooKeeperStore({ connect: stored.zookeeper, root: stored.root, clusterId: 'legacy' });
          expect(shape(untouched)).toEqual(shape(legacy).filter(([id]) => id !== vanished.id));
        } finally {
          session.close();
        }
        const legacySet = capture();
        expect(await run(['ha', 'set-latest', String(first.id), ...lzk, '--apply', '--backup-dir', backups], legacySet), legacySet.stderr.join('\n')).toBe(0);
        const legacyAfter = await readZooKeeperStore({ connect: stored.zookeeper, root: stored.root, clusterId: 'legacy' });
        expect(shape(legacyAfter)).toEqual([[first.id, false]]);
        expect(legacyAfter.counter).toBe(first.id! + 1); // created, as Flink's counter starts: 4 bytes at <ns>/checkpoint-counter/<job>
        expect(legacyAfter.counterSource).toBe(`${legacyNs}/checkpoint-counter/${stored.jobId}`);
        const children = await new Promise<string[]>((res, rej) => client.getChildren(`${legacyDir}/${first.name}`, (e, c) => (e ? rej(e) : res(c))));
        expect(children).toEqual([]); // no `locks` node in this layout
      } finally {
        client.close();
      }
      expect(await tool.close()).toBe(0);
    } finally {
      await tool.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
