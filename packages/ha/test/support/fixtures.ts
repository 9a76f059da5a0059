/** The payload fixtures written by the conformance `ha` tool, one directory per Flink version. */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const VERSIONS = readdirSync(FIXTURES).sort();

export interface FlinkCheckpoint {
  id: number;
  timestamp: number;
  externalPointer: string;
  savepoint: boolean;
}
export interface FlinkReport {
  flinkVersion: string;
  root: string;
  clusterId: string;
  jobId: string;
  flink: { checkpoints: FlinkCheckpoint[]; latest: number; counter: number };
  restored: { restoredCheckpointId: number; restoredExternalPath: string };
}

export interface VersionFixture {
  version: string;
  report: FlinkReport;
  nodes: { path: string; data: Uint8Array }[];
  /** `completedCheckpoint<hex>` file name → bytes */
  haFiles: Map<string, Uint8Array>;
  configMap?: string;
  configMapMarked?: string;
}

export function loadFixture(version: string): VersionFixture {
  const dir = `${FIXTURES}${version}/`;
  const zk = JSON.parse(readFileSync(`${dir}zookeeper.json`, 'utf8')) as { nodes: { path: string; data: string }[] };
  const haFiles = new Map<string, Uint8Array>();
  for (const f of readdirSync(`${dir}ha`)) haFiles.set(f, new Uint8Array(readFileSync(`${dir}ha/${f}`)));
  const fx: VersionFixture = {
    version,
    report: JSON.parse(readFileSync(`${dir}flink.json`, 'utf8')) as FlinkReport,
    nodes: zk.nodes.map((n) => ({ path: n.path, data: new Uint8Array(Buffer.from(n.data, 'base64')) })),
    haFiles,
  };
  if (existsSync(`${dir}configmap.json`)) fx.configMap = readFileSync(`${dir}configmap.json`, 'utf8');
  if (existsSync(`${dir}configmap-oldest-marked.json`)) fx.configMapMarked = readFileSync(`${dir}configmap-oldest-marked.json`, 'utf8');
  return fx;
}

/** Checkpoint znodes (`…/checkpoints/<19 digits>`) of a fixture. */
export function checkpointNodes(fx: VersionFixture): { path: string; name: string; data: Uint8Array }[] {
  return fx.nodes
    .filter((n) => /\/checkpoints\/\d{19}$/.test(n.path))
    .map((n) => ({ ...n, name: n.path.slice(n.path.lastIndexOf('/') + 1) }));
}
