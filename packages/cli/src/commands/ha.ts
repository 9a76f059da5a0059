import { readFile } from 'node:fs/promises';
import {
  followStore,
  readConfigMapStore,
  readZooKeeperStore,
  verifyStore,
  HaError,
  INITIAL_CHECKPOINT_ID,
  type FollowedEntry,
  type FollowedStore,
  type HaStore,
} from '@ckpt/ha';

export interface HaOptions {
  zookeeper?: string;
  root?: string;
  clusterId?: string;
  job?: string;
  configmap?: string;
  timeout?: string;
  json?: boolean;
}

/** Reads the store named by the options: ZooKeeper (`--zookeeper`) or a ConfigMap export (`--configmap`). */
async function openStore(opts: HaOptions): Promise<HaStore> {
  if ((opts.zookeeper === undefined) === (opts.configmap === undefined)) {
    throw new HaError('NotFound', 'give exactly one of --zookeeper host:port or --configmap file.json');
  }
  if (opts.configmap !== undefined) {
    const text = await readFile(opts.configmap, 'utf8');
    return readConfigMapStore(text, { jobId: opts.job, clusterId: opts.clusterId, file: opts.configmap });
  }
  const timeoutMs = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new HaError('ZooKeeper', `--timeout ${opts.timeout} is not a positive number of ms`);
  return readZooKeeperStore({ connect: opts.zookeeper!, root: opts.root, clusterId: opts.clusterId, jobId: opts.job, timeoutMs });
}

function entryJson(f: FollowedEntry, latest: FollowedEntry | undefined) {
  const cp = f.checkpoint;
  return {
    id: f.entry.id,
    name: f.entry.name,
    source: f.entry.source,
    latest: f === latest,
    recoverable: f.recoverable,
    markedForDeletion: f.entry.markedForDeletion,
    ...(f.entry.locks !== undefined ? { locks: f.entry.locks } : {}),
    haFile: f.entry.handle?.file ?? null,
    haFileSize: f.entry.handle?.size ?? null,
    externalPointer: cp?.externalPointer ?? null,
    metadataFile: cp?.metadataFile ?? null,
    timestamp: cp?.timestamp ?? null,
    completionTimestamp: cp?.completionTimestamp ?? null,
    snapshotType: cp?.properties?.snapshotType.name ?? null,
    ...(f.checkedFiles !== undefined ? { checkedFiles: f.checkedFiles } : {}),
    problems: f.problems,
  };
}

function storeJson(s: FollowedStore) {
  return {
    kind: s.store.kind,
    jobId: s.store.jobId,
    location: s.store.location,
    counter: s.store.counter,
    counterSource: s.store.counterSource,
    latest: s.latest?.entry.id ?? null,
    ok: s.ok,
    entries: s.entries.map((e) => entryJson(e, s.latest)),
  };
}

function counterText(store: HaStore): string {
  return store.counter === null
    ? `counter: none (Flink starts at ${INITIAL_CHECKPOINT_ID})`
    : `counter: ${store.counter} (next checkpoint id)`;
}

function state(f: FollowedEntry, latest: FollowedEntry | undefined): string {
  if (f.entry.error !== undefined) return 'undecodable (Flink skips it)';
  if (f.entry.markedForDeletion) return 'marked for deletion (Flink skips it)';
  return f === latest ? 'LATEST (restored on failover)' : 'retained';
}

/** `ckpt ha list`: every entry, which one a failover restores, and the counter. */
export async function haList(opts: HaOptions, out: (s: string) => void): Promise<number> {
  const s = await followStore(await openStore(opts));
  if (opts.json) {
    out(JSON.stringify(storeJson(s), null, 2));
    return 0;
  }
  out(`${s.store.kind} store of job ${s.store.jobId}: ${s.store.location}`);
  out(counterText(s.store));
  if (s.entries.length === 0) out('no checkpoints in the store');
  for (const f of s.entries) {
    const locks = f.entry.locks !== undefined ? `  locks=${f.entry.locks.length}` : '';
    out(`${String(f.entry.id ?? '?').padStart(6)}  ${state(f, s.latest)}${locks}`);
    out(`        pointer: ${f.checkpoint?.externalPointer ?? '-'}`);
    out(`        HA file: ${f.entry.handle?.file ?? '-'}`);
    for (const p of f.problems) out(`        ${p.kind}: ${p.detail}${p.uri ? ` (${p.uri})` : ''}`);
  }
  return 0;
}

/** `ckpt ha latest`: the checkpoint Flink restores after a failover (exit 5 when none). */
export async function haLatest(opts: HaOptions, out: (s: string) => void): Promise<number> {
  const s = await followStore(await openStore(opts));
  const l = s.latest;
  if (opts.json) {
    out(JSON.stringify(l === undefined ? null : { ...entryJson(l, l), jobId: s.store.jobId, counter: s.store.counter }, null, 2));
  } else if (l !== undefined) {
    out(`${l.entry.id}  ${l.checkpoint?.externalPointer ?? l.entry.handle?.file ?? ''}`);
    for (const p of l.problems) out(`  ${p.kind}: ${p.detail}${p.uri ? ` (${p.uri})` : ''}`);
  } else {
    out(`no recoverable checkpoint in the ${s.store.kind} store of job ${s.store.jobId}`);
  }
  return l === undefined ? 5 : 0;
}

/** `ckpt ha verify`: every file behind every recoverable entry exists (exit 4 when not). */
export async function haVerify(opts: HaOptions, out: (s: string) => void): Promise<number> {
  const s = await verifyStore(await openStore(opts));
  if (opts.json) {
    out(JSON.stringify(storeJson(s), null, 2));
  } else {
    for (const f of s.entries) {
      if (!f.recoverable) {
        out(`skip     ${f.entry.id ?? f.entry.name}  ${state(f, s.latest)}`);
        continue;
      }
      const mark = f.problems.length === 0 ? 'ok  ' : 'FAIL';
      const files = f.checkedFiles !== undefined ? ` (${f.checkedFiles} files)` : '';
      out(`${mark}     ${f.entry.id}  ${f.checkpoint?.externalPointer ?? f.entry.handle?.file ?? ''}${files}${f === s.latest ? '  <- restored on failover' : ''}`);
      for (const p of f.problems) out(`         ${p.kind}: ${p.uri ?? ''}${p.detail ? `  ${p.detail}` : ''}`);
    }
    out(counterText(s.store));
    out(s.ok ? 'OK: every file behind the store exists' : 'PROBLEMS: files behind the store are missing or unreadable');
  }
  return s.ok ? 0 : 4;
}
