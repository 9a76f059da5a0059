/**
 * Reads a job's completed-checkpoint store and checkpoint ID counter from ZooKeeper
 * (node-zookeeper-client). Reading creates, changes and locks nothing; `commit` runs the
 * transactions of `zookeeper-write.ts`.
 *
 * Layout (namespace = `<root>/<cluster-id>`, both slash-trimmed and joined like Flink's
 * `ZooKeeperUtils.generateZookeeperPath`):
 * - Flink ≥ 1.14: `<ns>/jobs/<job-id>/checkpoints/<%019d>` (+ `locks/<uuid>` children) and
 *   `<ns>/jobs/<job-id>/checkpoint_id_counter`;
 * - before 1.14: `<ns>/checkpoints/<job-id>/<%019d>` and `<ns>/checkpoint-counter/<job-id>`.
 */
import { createRequire } from 'node:module';
import type * as Zk from 'node-zookeeper-client';
import { readZooKeeperCounter } from './counter.js';
import { HaError } from './errors.js';
import { readZooKeeperHandle } from './handle.js';
import { parseCheckpointName, sortEntries, type HaEntry, type HaStore } from './store.js';

const zk = createRequire(import.meta.url)('node-zookeeper-client') as typeof Zk;

export interface ZooKeeperStoreOptions {
  /** Connect string, `host:port[,host:port…]`. */
  connect: string;
  /** `high-availability.zookeeper.path.root` (default `/flink`). */
  root?: string;
  /** `high-availability.cluster-id` (default `/default`). */
  clusterId?: string;
  /** Job id; may be left out when the namespace holds exactly one job with a checkpoint store. */
  jobId?: string;
  /** Connection timeout in ms (default 15000). */
  timeoutMs?: number;
}

/** The namespace Flink's Curator client uses: non-empty slash-trimmed parts joined with `/`. */
export function zooKeeperNamespace(root = '/flink', clusterId = '/default'): string {
  const parts = [root, clusterId].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${parts.join('/')}`;
}

/** The store's paths in each layout, newest first. */
export function zooKeeperLayouts(ns: string, jobId: string): { checkpoints: string; counter: string }[] {
  return [
    { checkpoints: `${ns}/jobs/${jobId}/checkpoints`, counter: `${ns}/jobs/${jobId}/checkpoint_id_counter` },
    { checkpoints: `${ns}/checkpoints/${jobId}`, counter: `${ns}/checkpoint-counter/${jobId}` },
  ];
}

const JOB_ID = /^[0-9a-f]{32}$/;

/** A connected session. */
export class ZooKeeperSession {
  private constructor(
    private readonly client: Zk.Client,
    readonly connect: string,
  ) {}

  static async open(connect: string, timeoutMs = 15_000): Promise<ZooKeeperSession> {
    const client = zk.createClient(connect, { sessionTimeout: Math.max(timeoutMs, 4000), retries: 1 });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(new HaError('ZooKeeper', `no connection to ZooKeeper at ${connect} within ${timeoutMs} ms`, { file: connect }));
      }, timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    return new ZooKeeperSession(client, connect);
  }

  private call<T>(path: string, op: (cb: (err: Error | Zk.Exception | null, v: T) => void) => void): Promise<T | null> {
    return new Promise((resolve, reject) => {
      op((err, v) => {
        if (err === null || err === undefined) return resolve(v);
        if ('code' in err && err.code === zk.Exception.NO_NODE) return resolve(null);
        reject(new HaError('ZooKeeper', `${path}: ${String(err)}`, { file: path, cause: err }));
      });
    });
  }

  /** Children of a znode (sorted), or null if it does not exist. */
  async children(path: string): Promise<string[] | null> {
    const c = await this.call<string[]>(path, (cb) => this.client.getChildren(path, cb));
    return c === null ? null : [...c].sort();
  }

  /** Data of a znode, or null if it does not exist. */
  async data(path: string): Promise<Uint8Array | null> {
    const d = await this.call<Buffer>(path, (cb) => this.client.getData(path, cb));
    return d === null ? null : new Uint8Array(d ?? []);
  }

  /** A znode with its data, version, children and whether it is ephemeral; null if it does not exist. */
  async node(path: string): Promise<ZNode | null> {
    const got = await this.call<{ data: Buffer | undefined; stat: Zk.Stat }>(path, (cb) =>
      this.client.getData(path, (err, data, stat) => cb(err, { data, stat })),
    );
    if (got === null) return null;
    const children = await this.children(path);
    if (children === null) return null;
    const owner = got.stat.ephemeralOwner as unknown as Buffer;
    return { path, data: new Uint8Array(got.data ?? []), version: got.stat.version, ephemeral: owner.some((b) => b !== 0), children };
  }

  /**
   * Runs the operations as one ZooKeeper transaction (all or nothing); versions make each
   * delete / set a compare-and-set.
   * @throws HaError `Conflict` when a node changed (or appeared / vanished) since it was read
   */
  async commit(ops: ZOp[]): Promise<void> {
    if (ops.length === 0) return;
    const tx = this.client.transaction();
    for (const op of ops) {
      if (op.op === 'create') tx.create(op.path, Buffer.from(op.data), zk.CreateMode.PERSISTENT);
      else if (op.op === 'set') tx.setData(op.path, Buffer.from(op.data), op.version);
      else if (op.op === 'check') tx.check(op.path, op.version);
      else tx.remove(op.path, op.version);
    }
    await new Promise<void>((resolve, reject) => {
      tx.commit((err) => {
        if (err === null || err === undefined) return resolve();
        const code = 'code' in err ? err.code : undefined;
        const conflict = code === zk.Exception.BAD_VERSION || code === zk.Exception.NO_NODE || code === zk.Exception.NODE_EXISTS || code === zk.Exception.NOT_EMPTY;
        reject(
          new HaError(conflict ? 'Conflict' : 'ZooKeeper', `${conflict ? 'ZooKeeper changed since it was read, nothing was written' : 'transaction failed'}: ${String(err)}`, {
            file: this.connect,
            cause: err,
          }),
        );
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

/** A znode as read for a change. */
export interface ZNode {
  path: string;
  data: Uint8Array;
  version: number;
  /** Owned by a client session (a JobManager's lock). */
  ephemeral: boolean;
  children: string[];
}

/** One operation of a transaction. */
export type ZOp =
  | { op: 'create'; path: string; data: Uint8Array }
  | { op: 'set'; path: string; data: Uint8Array; version: number }
  | { op: 'remove'; path: string; version: number }
  | { op: 'check'; path: string; version: number };

/** Jobs with a checkpoint store in the namespace (either layout). */
export async function listZooKeeperJobs(session: ZooKeeperSession, ns: string): Promise<string[]> {
  const jobs = new Set<string>();
  for (const j of (await session.children(`${ns}/jobs`)) ?? []) {
    if (JOB_ID.test(j) && (await session.children(`${ns}/jobs/${j}/checkpoints`)) !== null) jobs.add(j);
  }
  for (const j of (await session.children(`${ns}/checkpoints`)) ?? []) if (JOB_ID.test(j)) jobs.add(j);
  return [...jobs].sort();
}

/** Reads one job's store from an open session. */
export async function readZooKeeperStoreFrom(session: ZooKeeperSession, opts: Omit<ZooKeeperStoreOptions, 'connect' | 'timeoutMs'>): Promise<HaStore> {
  const ns = zooKeeperNamespace(opts.root, opts.clusterId);
  let jobId = opts.jobId?.toLowerCase();
  if (jobId === undefined) {
    const jobs = await listZooKeeperJobs(session, ns);
    if (jobs.length === 0) throw new HaError('NotFound', `no job with a checkpoint store under ${ns}`, { file: session.connect });
    if (jobs.length > 1) throw new HaError('Ambiguous', `several jobs under ${ns}, pick one with --job: ${jobs.join(', ')}`, { file: session.connect });
    jobId = jobs[0]!;
  }
  for (const [i, layout] of zooKeeperLayouts(ns, jobId).entries()) {
    const current = i === 0;
    const names = await session.children(layout.checkpoints);
    if (names === null) continue;
    const entries: HaEntry[] = [];
    for (const name of names) {
      const source = `${layout.checkpoints}/${name}`;
      const entry: HaEntry = { name, id: parseCheckpointName(name), source, markedForDeletion: false };
      // Flink ≥ 1.14's ZooKeeperStateHandleStore: an entry without any child (its `locks` node
      // was deleted) is marked for deletion. Before 1.14 there is no such mark: the children are
      // the JobManagers' ephemeral locks themselves, and an entry without any is just unlocked.
      const children = await session.children(source);
      const data = await session.data(source);
      if (children === null || data === null) continue; // removed while we listed
      if (current) {
        entry.markedForDeletion = children.length === 0;
        if (children.includes('locks')) entry.locks = (await session.children(`${source}/locks`)) ?? [];
      } else entry.locks = children;
      try {
        entry.handle = readZooKeeperHandle(data, source);
      } catch (e) {
        if (!(e instanceof HaError)) throw e;
        entry.error = e;
      }
      entries.push(entry);
    }
    const counterData = await session.data(layout.counter);
    return {
      kind: 'zookeeper',
      jobId,
      location: layout.checkpoints,
      entries: sortEntries(entries),
      counter: counterData === null ? null : readZooKeeperCounter(counterData, layout.counter),
      counterSource: layout.counter,
    };
  }
  throw new HaError('NotFound', `job ${jobId} has no checkpoint store under ${ns}`, { file: session.connect });
}

/**
 * Connects, reads one job's store and disconnects.
 * @throws HaError `ZooKeeper`, `NotFound`, `Ambiguous`, `BadCounter`
 */
export async function readZooKeeperStore(opts: ZooKeeperStoreOptions): Promise<HaStore> {
  const session = await ZooKeeperSession.open(opts.connect, opts.timeoutMs);
  try {
    return await readZooKeeperStoreFrom(session, opts);
  } finally {
    session.close();
  }
}
