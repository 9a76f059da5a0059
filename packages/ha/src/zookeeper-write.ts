/**
 * Carries out a {@link HaPlan} on ZooKeeper the way Flink's `ZooKeeperStateHandleStore` and
 * `ZooKeeperCheckpointIDCounter` lay the nodes out: an entry is a persistent znode holding the
 * serialized handle, with (Flink ≥ 1.14) a persistent `locks` child under which each JobManager
 * puts an ephemeral lock; the counter is a 4-byte int. Every node the change touches is re-read,
 * saved to a backup file, and changed in one transaction whose deletes and sets are conditional
 * on the versions read — if anything moved in between, nothing is written.
 */
import type { Storages } from '@ckpt/storage';
import { writeBackup, type BackupNode, type HaBackup } from './backup.js';
import { createdFile, removeCreatedFiles, writeNewHaFile } from './completed-checkpoint-file.js';
import { writeZooKeeperCounter } from './counter.js';
import { HaError } from './errors.js';
import { writeZooKeeperHandle } from './handle.js';
import type { HaPlan } from './plan.js';
import type { HaStore } from './store.js';
import { zooKeeperLayouts, type ZNode, type ZOp, type ZooKeeperSession } from './zookeeper.js';

const b64 = (d: Uint8Array): string => Buffer.from(d).toString('base64');
const LOCKS = 'locks';

/** Whether the store uses Flink's ≥ 1.14 layout (entries carry a persistent `locks` child). */
function hasLockNodes(store: HaStore): boolean {
  return store.location.endsWith('/checkpoints');
}

/** The namespace (`<root>/<cluster-id>`) of a store read from ZooKeeper. */
function namespaceOf(store: HaStore): string {
  const suffixes = zooKeeperLayouts('', store.jobId).map((l) => l.checkpoints);
  const s = suffixes.find((x) => store.location.endsWith(x));
  if (s === undefined) throw new HaError('NotFound', `${store.location} is not a checkpoint store path of job ${store.jobId}`);
  return store.location.slice(0, store.location.length - s.length);
}

/** A znode and its descendants, parents first. */
async function subtree(session: ZooKeeperSession, path: string, depth = 0): Promise<ZNode[]> {
  const n = await session.node(path);
  if (n === null) return [];
  if (depth > 4) throw new HaError('BadPayload', `${path}: deeper than a checkpoint entry can be`, { file: path });
  const out = [n];
  for (const c of n.children) out.push(...(await subtree(session, `${path}/${c}`, depth + 1)));
  return out;
}

/** Ancestors of `path` that do not exist, outermost first. */
async function missingParents(session: ZooKeeperSession, path: string): Promise<string[]> {
  const out: string[] = [];
  for (let p = path.slice(0, path.lastIndexOf('/')); p !== ''; p = p.slice(0, p.lastIndexOf('/'))) {
    if ((await session.node(p)) !== null) break;
    out.unshift(p);
  }
  return out;
}

/**
 * Signs that a JobManager is running the job: the leader latch of the cluster (≥ 1.15
 * `<ns>/leader/latch`, before: `<ns>/leaderlatch/<job>`), the job's leader node, and ephemeral
 * locks on checkpoint entries. Empty when none is seen.
 */
export async function zooKeeperActivity(session: ZooKeeperSession, store: HaStore): Promise<string[]> {
  const ns = namespaceOf(store);
  const found: string[] = [];
  for (const latch of [`${ns}/leader/latch`, `${ns}/leaderlatch/${store.jobId}`]) {
    const c = (await session.children(latch)) ?? [];
    const held = c.filter((x) => x.includes('latch'));
    if (held.length > 0) found.push(`${latch} has ${held.length} leader latch participant(s): a JobManager is running`);
  }
  for (const leader of [`${ns}/leader/${store.jobId}`, `${ns}/leader/${store.jobId}/connection_info`, `${ns}/leader/${store.jobId}/job_manager_lock`]) {
    const n = await session.node(leader);
    if (n !== null && n.ephemeral) found.push(`${leader} is held by a live session: the job has a leader`);
  }
  for (const e of store.entries) {
    if ((e.locks ?? []).length > 0) found.push(`${e.source} is locked by ${e.locks!.length} JobManager(s)`);
  }
  return found;
}

export interface ZooKeeperApplyOptions {
  /** Where the backup file goes (created if needed). */
  backupDir: string;
  /** Change the store even though a JobManager seems to run the job (its locks are removed too). */
  force?: boolean;
  /** Recorded in the backup. */
  connect?: string;
  /** Where a new completedCheckpoint file is written (default: a private cache of the default drivers). */
  storages?: Storages;
}

export interface ApplyResult {
  backupFile: string;
  /** Operations committed, in order. */
  operations: ZOp[];
}

/**
 * Applies the plan: re-reads every node it touches, refuses while the job runs (unless `force`),
 * writes the backup, then commits one conditional transaction.
 * @throws HaError `JobRunning`, `Conflict`, `ZooKeeper`
 */
export async function applyZooKeeperPlan(session: ZooKeeperSession, plan: HaPlan, opts: ZooKeeperApplyOptions): Promise<ApplyResult> {
  const store = plan.store;
  if (store.kind !== 'zookeeper') throw new HaError('NotFound', 'not a ZooKeeper store');
  const activity = await zooKeeperActivity(session, store);
  if (activity.length > 0 && opts.force !== true) {
    throw new HaError('JobRunning', `the job looks running, nothing was changed (force to override):\n  ${activity.join('\n  ')}`, { file: store.location });
  }
  const ops: ZOp[] = [];
  const before: BackupNode[] = [];
  const after: BackupNode[] = [];
  for (const r of plan.remove) {
    const nodes = await subtree(session, r.entry.source);
    if (nodes.length === 0) throw new HaError('Conflict', `${r.entry.source} vanished since it was read, nothing was written`, { file: r.entry.source });
    if (nodes.some((n) => n.ephemeral) && opts.force !== true) {
      throw new HaError('JobRunning', `${r.entry.source} is locked by a JobManager, nothing was changed`, { file: r.entry.source });
    }
    for (const n of nodes) before.push({ path: n.path, data: b64(n.data), ...(n.ephemeral ? { ephemeral: true } : {}) });
    for (const n of [...nodes].reverse()) ops.push({ op: 'remove', path: n.path, version: n.version });
  }
  if (plan.unmark !== undefined) {
    if (!hasLockNodes(store)) throw new HaError('BadPayload', `${plan.unmark.source}: the pre-1.14 layout has no deletion mark to clear`);
    const n = await session.node(plan.unmark.source);
    if (n === null || n.children.length > 0) throw new HaError('Conflict', `${plan.unmark.source} changed since it was read, nothing was written`);
    ops.push({ op: 'check', path: n.path, version: n.version });
    const lock = `${n.path}/${LOCKS}`;
    ops.push({ op: 'create', path: lock, data: new Uint8Array(0) });
    after.push({ path: lock, data: '' });
  }
  if (plan.add !== undefined) {
    const path = `${store.location}/${plan.add.name}`;
    const data = writeZooKeeperHandle(plan.add.handle);
    ops.push({ op: 'create', path, data });
    after.push({ path, data: b64(data) });
    if (hasLockNodes(store)) {
      ops.push({ op: 'create', path: `${path}/${LOCKS}`, data: new Uint8Array(0) });
      after.push({ path: `${path}/${LOCKS}`, data: '' });
    }
  }
  if (plan.counter !== undefined) {
    const data = writeZooKeeperCounter(plan.counter.after, store.counterSource);
    const n = await session.node(store.counterSource);
    if (n === null) {
      // as Curator creates a counter: with its missing parents
      for (const parent of await missingParents(session, store.counterSource)) {
        ops.push({ op: 'create', path: parent, data: new Uint8Array(0) });
        after.push({ path: parent, data: '' });
      }
      ops.push({ op: 'create', path: store.counterSource, data });
    } else {
      before.push({ path: n.path, data: b64(n.data) });
      ops.push({ op: 'set', path: n.path, data, version: n.version });
    }
    after.push({ path: store.counterSource, data: b64(data) });
  }
  const backup: HaBackup = {
    format: 'ckpt-ha-backup',
    version: 1,
    kind: 'zookeeper',
    action: plan.action,
    createdAt: new Date().toISOString(),
    jobId: store.jobId,
    location: store.location,
    ...(opts.connect !== undefined ? { connect: opts.connect } : {}),
    before,
    after,
  };
  const create = plan.add?.create;
  if (create !== undefined) backup.files = [createdFile(create)];
  const backupFile = await writeBackup(opts.backupDir, backup);
  // the completedCheckpoint file first: an entry must never point at a file that is not there
  if (create !== undefined) await writeNewHaFile(create, { storages: opts.storages });
  try {
    await session.commit(ops);
  } catch (e) {
    if (create !== undefined) await removeCreatedFiles(backup.files!, { storages: opts.storages }).catch(() => []);
    throw e;
  }
  return { backupFile, operations: ops };
}

/** What restoring a backup does. */
export interface RestorePlan {
  operations: ZOp[];
  /** Nodes left alone, and why. */
  skipped: string[];
  /**
   * Some node the change created stays (changed or locked since): files the change wrote may
   * still be referenced, so they must stay too.
   */
  createdKept: boolean;
}

const depth = (p: string): number => p.split('/').length;

/**
 * Plans the undo of a change from its backup: nodes the change created are removed (when they
 * still hold what it wrote and have no children), nodes it removed are re-created (except
 * JobManager locks, which belong to a session), nodes it overwrote get their old data back
 * (when they still hold what it wrote: a counter Flink has moved on since is left alone).
 */
export async function planZooKeeperRestore(session: ZooKeeperSession, backup: HaBackup): Promise<RestorePlan> {
  if (backup.kind !== 'zookeeper') throw new HaError('BadBackup', 'not a ZooKeeper backup');
  const operations: ZOp[] = [];
  const skipped: string[] = [];
  const beforePaths = new Map(backup.before.map((n) => [n.path, n]));
  const candidates = new Map<string, { version: number; children: string[] }>();
  const sets: ZOp[] = [];
  let createdKept = false;
  for (const a of backup.after) {
    const cur = await session.node(a.path);
    const old = beforePaths.get(a.path);
    if (cur === null) {
      if (old === undefined) continue; // already gone
      skipped.push(`${a.path}: does not exist any more`);
      continue;
    }
    if (b64(cur.data) !== a.data) {
      skipped.push(`${a.path}: changed since (now ${cur.data.length} bytes), left as it is`);
      createdKept ||= old === undefined;
      continue;
    }
    if (old !== undefined) sets.push({ op: 'set', path: a.path, data: Buffer.from(old.data, 'base64'), version: cur.version });
    else candidates.set(a.path, { version: cur.version, children: cur.children.map((c) => `${a.path}/${c}`) });
  }
  // a created node goes only with all its children (nodes the change created too, removed first);
  // one with other children (a JobManager's lock) stays, and so do its ancestors
  for (const [path, c] of [...candidates].sort(([x], [y]) => depth(y) - depth(x))) {
    if (c.children.some((ch) => !candidates.has(ch))) {
      candidates.delete(path);
      createdKept = true;
      skipped.push(`${path}: has children now (a JobManager locked it), left as it is`);
    }
  }
  const removals: ZOp[] = [...candidates].map(([path, c]) => ({ op: 'remove', path, version: c.version }));
  operations.push(...removals.sort((x, y) => depth(y.path) - depth(x.path)));
  const afterPaths = new Set(backup.after.map((n) => n.path));
  for (const b of [...backup.before].sort((x, y) => depth(x.path) - depth(y.path))) {
    if (afterPaths.has(b.path)) continue;
    if (b.ephemeral === true) {
      skipped.push(`${b.path}: a JobManager's lock, not restored`);
      continue;
    }
    if ((await session.node(b.path)) !== null) {
      skipped.push(`${b.path}: exists again, left as it is`);
      continue;
    }
    operations.push({ op: 'create', path: b.path, data: Buffer.from(b.data, 'base64') });
  }
  operations.push(...sets);
  return { operations, skipped, createdKept };
}
