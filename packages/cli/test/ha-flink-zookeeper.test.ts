/**
 * Real servers: the conformance `ha` tool runs a job with ZooKeeper HA in a MiniCluster of each
 * Flink line, takes checkpoints, loses its JobManager (HA data kept), and reports what Flink's
 * own HA classes read from ZooKeeper. While ZooKeeper keeps running, ckpt reads the same store
 * over the network; then the tool starts a new JobManager that recovers the job from HA and
 * reports which checkpoint the restore used — it must be the one `ckpt ha latest` named.
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { followStore, readZooKeeperStore, verifyStore } from '@ckpt/ha';
import { run, type Io } from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LINES = ['1.20', '2.0', '2.3'];

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

/** The running tool: JSON events from stdout, commands to stdin. */
class HaTool {
  private readonly events: unknown[] = [];
  private waiting: ((v: unknown) => void) | undefined;
  private readonly proc: ChildProcessWithoutNullStreams;
  private stderr = '';
  readonly exited: Promise<number | null>;

  constructor(line: string, work: string) {
    this.proc = spawn(join(root, 'conformance/run.sh'), [line, 'ha', '--work', work], { stdio: 'pipe' });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    createInterface({ input: this.proc.stdout }).on('line', (l) => {
      if (!l.startsWith('{')) return;
      const ev = JSON.parse(l) as unknown;
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
    this.proc.stdin.write(`${s}\n`);
  }

  async close(): Promise<number | null> {
    this.proc.stdin.end();
    return this.exited;
  }
}

/** Deletes one (childless) znode with a plain ZooKeeper client, as an operator or a JobManager would. */
async function removeZnode(connect: string, path: string): Promise<void> {
  const zk = createRequire(import.meta.url)('node-zookeeper-client') as typeof import('node-zookeeper-client');
  const client = zk.createClient(connect);
  await new Promise<void>((res) => {
    client.once('connected', res);
    client.connect();
  });
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
      expect(await tool.close()).toBe(0);
    } finally {
      await tool.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
