/**
 * Reads a job's completed-checkpoint store from Kubernetes HA ConfigMap data exported with
 * `kubectl get configmap … -o json` (or `-o yaml`; a `List` of ConfigMaps works too): the
 * `checkpointID-<%019d>` keys (Base64 Java-serialized handles with a delete marker) and the
 * `counter` key of the `<cluster-id>-<job-id>-config-map`.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { HaBackup } from './backup.js';
import { readKubernetesCounter, writeKubernetesCounter } from './counter.js';
import { createdFile } from './completed-checkpoint-file.js';
import { HaError } from './errors.js';
import { readKubernetesHandle, writeKubernetesHandle } from './handle.js';
import type { HaPlan } from './plan.js';
import { parseCheckpointName, sortEntries, type HaEntry, type HaStore } from './store.js';

export const CHECKPOINT_ID_KEY_PREFIX = 'checkpointID-';
export const CHECKPOINT_COUNTER_KEY = 'counter';

export interface ConfigMapOptions {
  /** Job id; picks the ConfigMap when the document holds several. */
  jobId?: string;
  /** Cluster id; with a job id names the ConfigMap `<cluster-id>-<job-id>-config-map`. */
  clusterId?: string;
  /** File name, for errors. */
  file?: string;
}

interface ConfigMapDoc {
  name: string;
  data: Record<string, string>;
  /** The ConfigMap object as read (metadata, annotations, resourceVersion …). */
  raw: Record<string, unknown>;
}

const JOB_CONFIG_MAP = /-([0-9a-f]{32})-config-map$/;

function configMaps(doc: unknown, file: string | undefined): ConfigMapDoc[] {
  const bad = (detail: string): HaError => new HaError('BadConfigMap', detail, { file });
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad('not a ConfigMap or a List of ConfigMaps');
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o.items)) return o.items.flatMap((i) => configMaps(i, file));
  if (o.kind !== undefined && o.kind !== 'ConfigMap') throw bad(`kind ${String(o.kind)} is not ConfigMap`);
  const meta = (o.metadata ?? {}) as Record<string, unknown>;
  const data = o.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw bad('data is not a map');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string') throw bad(`data.${k} is not a string`);
    out[k] = v;
  }
  return [{ name: typeof meta.name === 'string' ? meta.name : '', data: out, raw: o }];
}

/** Parses JSON, else YAML. */
function parseDocument(text: string, file: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch {
    try {
      return parseYaml(text, { maxAliasCount: 0 });
    } catch (e) {
      throw new HaError('BadConfigMap', `neither JSON nor YAML: ${e instanceof Error ? e.message : String(e)}`, { file, cause: e });
    }
  }
}

/** The job ConfigMap the options pick from a document, and every ConfigMap in it. */
function selectConfigMap(text: string, opts: ConfigMapOptions): { cm: ConfigMapDoc; maps: ConfigMapDoc[]; jobId: string | undefined } {
  const maps = configMaps(parseDocument(text, opts.file), opts.file);
  const jobId = opts.jobId?.toLowerCase();
  const isStore = (m: ConfigMapDoc): boolean =>
    Object.keys(m.data).some((k) => k.startsWith(CHECKPOINT_ID_KEY_PREFIX) || k === CHECKPOINT_COUNTER_KEY);
  let candidates = maps.filter(isStore);
  if (jobId !== undefined) {
    const exact = opts.clusterId !== undefined ? `${opts.clusterId}-${jobId}-config-map` : undefined;
    candidates = candidates.filter((m) => (exact !== undefined ? m.name === exact : JOB_CONFIG_MAP.exec(m.name)?.[1] === jobId));
  }
  if (candidates.length === 0) {
    throw new HaError('NotFound', `no job ConfigMap with checkpoint keys${jobId ? ` for job ${jobId}` : ''}`, { file: opts.file });
  }
  if (candidates.length > 1) {
    throw new HaError('Ambiguous', `several job ConfigMaps, pick one with --job: ${candidates.map((m) => m.name).join(', ')}`, { file: opts.file });
  }
  return { cm: candidates[0]!, maps, jobId };
}

/**
 * Reads the store from the text of a ConfigMap export.
 * @throws HaError `BadConfigMap`, `NotFound`, `Ambiguous`, `BadCounter`
 */
export function readConfigMapStore(text: string, opts: ConfigMapOptions = {}): HaStore {
  const { cm, jobId } = selectConfigMap(text, opts);
  const entries: HaEntry[] = [];
  for (const [key, value] of Object.entries(cm.data)) {
    if (!key.startsWith(CHECKPOINT_ID_KEY_PREFIX)) continue;
    const source = `${cm.name}:${key}`;
    const entry: HaEntry = { name: key, id: parseCheckpointName(key.slice(CHECKPOINT_ID_KEY_PREFIX.length)), source, markedForDeletion: false };
    try {
      const h = readKubernetesHandle(value, source);
      entry.handle = { file: h.file, size: h.size };
      entry.markedForDeletion = h.markedForDeletion;
    } catch (e) {
      if (!(e instanceof HaError)) throw e;
      entry.error = e;
    }
    entries.push(entry);
  }
  const counter = cm.data[CHECKPOINT_COUNTER_KEY];
  const counterSource = `${cm.name}:${CHECKPOINT_COUNTER_KEY}`;
  return {
    kind: 'kubernetes',
    jobId: jobId ?? JOB_CONFIG_MAP.exec(cm.name)?.[1] ?? '',
    location: cm.name,
    entries: sortEntries(entries),
    counter: counter === undefined ? null : readKubernetesCounter(counter, counterSource),
    counterSource,
  };
}

/** The annotation Flink's Kubernetes leader election (fabric8) keeps its lease in. */
export const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

/** Seconds of a lease duration written as a number of seconds or an ISO-8601 `PT…S` duration. */
function leaseSeconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^PT(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(v) : null;
  return m === null ? undefined : Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

/**
 * Leader leases in the document's ConfigMaps that are still valid at `now` (renewTime +
 * leaseDuration in the future): a JobManager is running. Empty when none is.
 */
export function configMapActivity(text: string, now: Date, opts: ConfigMapOptions = {}): string[] {
  const found: string[] = [];
  for (const m of configMaps(parseDocument(text, opts.file), opts.file)) {
    const meta = (m.raw.metadata ?? {}) as { annotations?: Record<string, unknown> };
    const lease = meta.annotations?.[LEADER_ANNOTATION];
    if (typeof lease !== 'string') continue;
    let rec: { holderIdentity?: unknown; renewTime?: unknown; leaseDuration?: unknown };
    try {
      rec = JSON.parse(lease) as typeof rec;
    } catch {
      continue;
    }
    if (typeof rec.holderIdentity !== 'string' || rec.holderIdentity === '') continue;
    const renewed = typeof rec.renewTime === 'string' ? Date.parse(rec.renewTime) : NaN;
    const seconds = leaseSeconds(rec.leaseDuration) ?? 15;
    if (Number.isNaN(renewed) || renewed + seconds * 1000 > now.getTime()) {
      found.push(`${m.name}: leader ${rec.holderIdentity} renewed its lease at ${String(rec.renewTime)} (${seconds} s lease)`);
    }
  }
  return found;
}

/** The edited ConfigMap and the backup of the original. */
export interface ConfigMapEdit {
  /** The edited ConfigMap (original metadata kept: `resourceVersion` makes `kubectl replace` fail if it changed meanwhile). */
  configMap: Record<string, unknown>;
  /** JSON or YAML text of {@link configMap}. */
  text: string;
  backup: HaBackup;
}

/**
 * Applies a plan to the ConfigMap of a `kubectl get configmap` export: removed keys go, an added
 * or un-marked entry is written as flink-kubernetes writes it, the counter is set. Everything
 * else of the ConfigMap is kept as it was. A new completedCheckpoint file of the plan is not
 * written here (the caller writes it with `writeNewHaFile` before the ConfigMap goes out); the
 * backup records it.
 * @throws HaError like {@link readConfigMapStore}
 */
export function editConfigMap(text: string, plan: HaPlan, opts: ConfigMapOptions & { format?: 'json' | 'yaml'; now?: Date } = {}): ConfigMapEdit {
  const { cm } = selectConfigMap(text, { ...opts, jobId: plan.store.jobId || opts.jobId });
  if (cm.name !== plan.store.location) throw new HaError('NotFound', `the plan is for ${plan.store.location}, not ${cm.name}`, { file: opts.file });
  const data = { ...cm.data };
  const before: HaBackup['before'] = [];
  const after: HaBackup['after'] = [];
  const set = (key: string, value: string): void => {
    if (data[key] !== undefined) before.push({ path: key, data: data[key] });
    data[key] = value;
    after.push({ path: key, data: value });
  };
  for (const r of plan.remove) {
    before.push({ path: r.entry.name, data: data[r.entry.name] ?? '' });
    delete data[r.entry.name];
  }
  if (plan.unmark?.handle !== undefined) set(plan.unmark.name, writeKubernetesHandle({ ...plan.unmark.handle, markedForDeletion: false }));
  if (plan.add !== undefined) set(plan.add.name, writeKubernetesHandle({ ...plan.add.handle, markedForDeletion: false }));
  if (plan.counter !== undefined) set(CHECKPOINT_COUNTER_KEY, writeKubernetesCounter(plan.counter.after));
  const sorted = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const configMap = { ...cm.raw, data: sorted };
  const out = opts.format === 'yaml' ? stringifyYaml(configMap) : `${JSON.stringify(configMap, null, 2)}\n`;
  const backup: HaBackup = {
    format: 'ckpt-ha-backup',
    version: 1,
    kind: 'kubernetes',
    action: plan.action,
    createdAt: (opts.now ?? new Date()).toISOString(),
    jobId: plan.store.jobId,
    location: cm.name,
    before,
    after,
    configMap: cm.raw,
    ...(plan.add?.create !== undefined ? { files: [createdFile(plan.add.create)] } : {}),
  };
  return { configMap, text: out, backup };
}
