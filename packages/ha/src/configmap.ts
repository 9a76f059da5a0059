/**
 * Reads a job's completed-checkpoint store from Kubernetes HA ConfigMap data exported with
 * `kubectl get configmap … -o json` (or `-o yaml`; a `List` of ConfigMaps works too): the
 * `checkpointID-<%019d>` keys (Base64 Java-serialized handles with a delete marker) and the
 * `counter` key of the `<cluster-id>-<job-id>-config-map`.
 */
import { parse as parseYaml } from 'yaml';
import { readKubernetesCounter } from './counter.js';
import { HaError } from './errors.js';
import { readKubernetesHandle } from './handle.js';
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
  return [{ name: typeof meta.name === 'string' ? meta.name : '', data: out }];
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

/**
 * Reads the store from the text of a ConfigMap export.
 * @throws HaError `BadConfigMap`, `NotFound`, `Ambiguous`, `BadCounter`
 */
export function readConfigMapStore(text: string, opts: ConfigMapOptions = {}): HaStore {
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
  const cm = candidates[0]!;
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
