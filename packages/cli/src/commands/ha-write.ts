/**
 * `ckpt ha set-latest | repair | restore-backup`: changes to Flink's HA completed-checkpoint
 * store. Every command is a dry run unless `--apply` is given; an applied change first saves a
 * backup of every node / key it touches, and the backup undoes it.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import {
  applyZooKeeperPlan,
  configMapActivity,
  describePlan,
  editConfigMap,
  HaError,
  isEmptyPlan,
  planRepair,
  planSetLatest,
  planZooKeeperRestore,
  readBackup,
  readConfigMapStore,
  readZooKeeperStoreFrom,
  removeCreatedFiles,
  resolveTarget,
  verifyStore,
  writeBackup,
  writeFileAtomic,
  writeNewHaFile,
  ZooKeeperSession,
  zooKeeperActivity,
  type HaPlan,
  type HaStore,
  type ZOp,
} from '@ckpt/ha';
import type { HaOptions } from './ha.js';

export interface HaWriteOptions extends HaOptions {
  apply?: boolean;
  force?: boolean;
  backupDir?: string;
  /** ConfigMap stores: where the edited ConfigMap goes (`-` for stdout). */
  output?: string;
  format?: string;
  haDir?: string;
  /** The cluster's Flink version, for a new completedCheckpoint file (default: from the store's HA files). */
  flinkVersion?: string;
  allowEmpty?: boolean;
}

/** Exit code when the job looks running and `--force` was not given. */
export const EXIT_JOB_RUNNING = 7;

type Out = (s: string) => void;

function storeOptions(opts: HaOptions): void {
  if ((opts.zookeeper === undefined) === (opts.configmap === undefined)) {
    throw new HaError('NotFound', 'give exactly one of --zookeeper host:port or --configmap file.json');
  }
}

function timeoutOf(opts: HaOptions): number | undefined {
  if (opts.timeout === undefined) return undefined;
  const t = Number(opts.timeout);
  if (!(t > 0)) throw new HaError('ZooKeeper', `--timeout ${opts.timeout} is not a positive number of ms`);
  return t;
}

function printPlan(plan: HaPlan, out: Out): void {
  const s = plan.store;
  out(`${s.kind} store of job ${s.jobId}: ${s.location}`);
  out(`now:   a failover restores ${plan.latestBefore === null ? 'nothing' : `checkpoint ${plan.latestBefore}`}`);
  out(`after: a failover restores ${plan.latestAfter === null ? 'nothing (the job would start without state)' : `checkpoint ${plan.latestAfter}`}`);
  const path = (name: string): string => (s.kind === 'kubernetes' ? `${s.location}:${name}` : `${s.location}/${name}`);
  const lines = describePlan(plan, path);
  if (lines.length === 0) out('no change needed');
  for (const l of lines) out(`  ${l}`);
}

function opText(op: ZOp): string {
  return op.op === 'check' ? `check   ${op.path} (version ${op.version})` : `${op.op.padEnd(7)} ${op.path}`;
}

/** The `--json` form of a change. */
interface ChangeReport {
  kind: HaStore['kind'];
  jobId: string;
  location: string;
  latestBefore: number | null;
  latestAfter: number | null;
  remove: { id: number | null; name: string; source: string; reason: string }[];
  add: { id: number; name: string; haFile: string; haFileSize: number; created: { flinkLine: string; lineFrom: string } | null } | null;
  unmark: string | null;
  counter: { before: number | null; after: number } | null;
  running: string[];
  applied: boolean;
  refused: boolean;
  backupFile: string | null;
  /** ConfigMap stores: where the edited ConfigMap was written. */
  output: string | null;
}

function reportOf(plan: HaPlan): ChangeReport {
  const s = plan.store;
  return {
    kind: s.kind,
    jobId: s.jobId,
    location: s.location,
    latestBefore: plan.latestBefore,
    latestAfter: plan.latestAfter,
    remove: plan.remove.map((r) => ({ id: r.entry.id, name: r.entry.name, source: r.entry.source, reason: r.reason })),
    add:
      plan.add === undefined
        ? null
        : {
            id: plan.add.id,
            name: plan.add.name,
            haFile: plan.add.handle.file,
            haFileSize: plan.add.handle.size,
            created: plan.add.create === undefined ? null : { flinkLine: plan.add.create.line, lineFrom: plan.add.create.lineFrom },
          },
    unmark: plan.unmark?.source ?? null,
    counter: plan.counter ?? null,
    running: [],
    applied: false,
    refused: false,
    backupFile: null,
    output: null,
  };
}

/** Runs a planned change on the store the options name (dry run unless --apply). */
async function change(opts: HaWriteOptions, out: Out, err: Out, makePlan: (store: HaStore) => Promise<HaPlan>): Promise<number> {
  storeOptions(opts);
  if (opts.json && opts.output === '-') throw new HaError('NotFound', '--json and --output - both want stdout: give --output a file');
  const backupDir = opts.backupDir ?? '.';
  // human lines go to stderr when stdout carries JSON or the ConfigMap
  const info = opts.json || opts.output === '-' ? err : out;
  let report: ChangeReport | undefined;
  const finish = (code: number): number => {
    if (opts.json && report !== undefined) out(JSON.stringify(report, null, 2));
    return code;
  };
  if (opts.configmap !== undefined) {
    const text = await readFile(opts.configmap, 'utf8');
    const store = readConfigMapStore(text, { jobId: opts.job, clusterId: opts.clusterId, file: opts.configmap });
    const plan = await makePlan(store);
    report = reportOf(plan);
    printPlan(plan, info);
    if (isEmptyPlan(plan)) return finish(0);
    report.running = configMapActivity(text, new Date(), { file: opts.configmap });
    for (const a of report.running) info(`running: ${a}`);
    if (!opts.apply) {
      info('dry run: nothing was written; --apply writes the edited ConfigMap (and a backup of the original)');
      return finish(0);
    }
    if (report.running.length > 0 && !opts.force) {
      info('refused: a JobManager holds the leader lease; stop the job (or give --force)');
      report.refused = true;
      return finish(EXIT_JOB_RUNNING);
    }
    const format = opts.format === 'yaml' || (opts.format === undefined && /\.ya?ml$/i.test(opts.configmap)) ? 'yaml' : 'json';
    const edit = editConfigMap(text, plan, { jobId: opts.job, clusterId: opts.clusterId, file: opts.configmap, format });
    report.backupFile = await writeBackup(backupDir, edit.backup);
    info(`backup: ${report.backupFile}`);
    if (plan.add?.create !== undefined) {
      await writeNewHaFile(plan.add.create); // before the ConfigMap that points at it
      info(`written: ${plan.add.create.file}`);
    }
    if (opts.output === '-') out(edit.text.trimEnd());
    else {
      const target = opts.output ?? `${basename(opts.configmap, extname(opts.configmap))}.edited.${format}`;
      await writeFileAtomic(target, edit.text);
      report.output = target;
      info(`edited ConfigMap: ${target}`);
      info(`apply it with: kubectl replace -f ${target}   (fails if the ConfigMap changed since the export; kubectl apply would not remove keys)`);
    }
    report.applied = true;
    info(`undo: ckpt ha restore-backup ${report.backupFile} --output original.json && kubectl replace -f original.json`);
    return finish(0);
  }
  const session = await ZooKeeperSession.open(opts.zookeeper!, timeoutOf(opts));
  try {
    const store = await readZooKeeperStoreFrom(session, { root: opts.root, clusterId: opts.clusterId, jobId: opts.job });
    const plan = await makePlan(store);
    report = reportOf(plan);
    printPlan(plan, info);
    if (isEmptyPlan(plan)) return finish(0);
    if (!opts.apply) {
      report.running = await zooKeeperActivity(session, store);
      for (const a of report.running) info(`running: ${a}`);
      info('dry run: nothing was changed; --apply writes it (after saving a backup of every node it touches)');
      return finish(0);
    }
    try {
      const r = await applyZooKeeperPlan(session, plan, { backupDir, force: opts.force, connect: opts.zookeeper });
      report.backupFile = r.backupFile;
      report.applied = true;
      info(`backup: ${r.backupFile}`);
      for (const op of r.operations) info(`  done  ${opText(op)}`);
      info(`applied: ${r.operations.length} operations in one transaction`);
      info(`undo: ckpt ha restore-backup ${r.backupFile} --zookeeper ${opts.zookeeper} --apply`);
      return finish(0);
    } catch (e) {
      if (e instanceof HaError && e.code === 'JobRunning') {
        info(`refused: ${e.detail}`);
        report.refused = true;
        report.running = e.detail.split('\n').slice(1).map((l) => l.trim()).filter((l) => l !== '');
        return finish(EXIT_JOB_RUNNING);
      }
      throw e;
    }
  } finally {
    session.close();
  }
}

/** `ckpt ha set-latest <checkpoint>`: make a failover restore this checkpoint. */
export async function haSetLatest(checkpoint: string, opts: HaWriteOptions, out: Out, err: Out): Promise<number> {
  return change(opts, out, err, async (store) => {
    const target = await resolveTarget(store, checkpoint, { haDir: opts.haDir, flinkVersion: opts.flinkVersion });
    return planSetLatest(store, target.id, target.handle, target.create);
  });
}

/** `ckpt ha repair`: remove the entries whose files are missing, short or corrupt. */
export async function haRepair(opts: HaWriteOptions, out: Out, err: Out): Promise<number> {
  return change(opts, out, err, async (store) => planRepair(await verifyStore(store), { allowEmpty: opts.allowEmpty }));
}

/** `ckpt ha restore-backup <file>`: undo a change from its backup. */
export async function haRestoreBackup(file: string, opts: HaWriteOptions, out: Out, err: Out): Promise<number> {
  const backup = await readBackup(file);
  (backup.kind === 'kubernetes' && (opts.output === undefined || opts.output === '-') ? err : out)(`backup of ${backup.action} on ${backup.kind} store ${backup.location} (job ${backup.jobId}) at ${backup.createdAt}`);
  if (backup.kind === 'kubernetes') {
    const cm = structuredClone(backup.configMap) as { metadata?: Record<string, unknown> } | undefined;
    if (cm === undefined) throw new HaError('BadBackup', 'the backup holds no ConfigMap', { file });
    delete cm.metadata?.resourceVersion; // replaces whatever is there now
    const text = `${JSON.stringify(cm, null, 2)}\n`;
    if (opts.output === undefined || opts.output === '-') out(text.trimEnd());
    else {
      await writeFileAtomic(opts.output, text);
      out(`original ConfigMap: ${opts.output}; restore it with: kubectl replace -f ${opts.output}`);
    }
    // the ConfigMap is replaced by the user: the file the change wrote can go only after that
    for (const f of backup.files ?? []) err(`then remove ${f.uri} (${f.size} bytes), which the change wrote into the HA storage directory`);
    return 0;
  }
  if (opts.zookeeper === undefined) throw new HaError('NotFound', `give --zookeeper host:port (the change was made through ${backup.connect ?? 'an unknown quorum'})`);
  const session = await ZooKeeperSession.open(opts.zookeeper, timeoutOf(opts));
  try {
    const plan = await planZooKeeperRestore(session, backup);
    // a created entry that stays may still point at a file the change wrote: the files stay then
    const files = plan.createdKept ? [] : (backup.files ?? []);
    if (plan.createdKept) for (const f of backup.files ?? []) out(`  skip    ${f.uri}: an entry the change created stays, so does its file`);
    for (const s of plan.skipped) out(`  skip    ${s}`);
    for (const op of plan.operations) out(`  ${opts.apply ? 'done    ' : ''}${opText(op)}`);
    if (plan.operations.length === 0 && files.length === 0) {
      out('nothing to restore');
      return 0;
    }
    if (!opts.apply) {
      for (const l of await removeCreatedFiles(files, { dryRun: true })) out(`  ${l}`);
      out('dry run: nothing was changed; --apply restores it');
      return 0;
    }
    if (plan.operations.length > 0) await session.commit(plan.operations);
    // the entry pointing at a created file is gone now: the file can go
    for (const l of await removeCreatedFiles(files)) out(`  ${l}`);
    out(`restored: ${plan.operations.length} operations in one transaction${files.length > 0 ? `, ${files.length} created file(s) handled` : ''}`);
    return 0;
  } finally {
    session.close();
  }
}
