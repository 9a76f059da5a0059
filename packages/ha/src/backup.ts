/**
 * Backups of the nodes / keys a change touches, written atomically (temporary file, fsync,
 * rename) before anything in the store changes, and read back to undo the change.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HaError } from './errors.js';

export const BACKUP_FORMAT = 'ckpt-ha-backup';

/** One znode / ConfigMap key with its content (Base64 for znodes, the value itself for keys). */
export interface BackupNode {
  path: string;
  data: string;
  /** ZooKeeper: owned by a client session (a JobManager's lock); such nodes cannot be restored. */
  ephemeral?: boolean;
}

/** What a backup file holds. */
export interface HaBackup {
  format: typeof BACKUP_FORMAT;
  version: 1;
  kind: 'zookeeper' | 'kubernetes';
  action: string;
  createdAt: string;
  jobId: string;
  /** Checkpoints znode path or ConfigMap name. */
  location: string;
  /** ZooKeeper connect string the change was made through (informational). */
  connect?: string;
  /** Every node removed or overwritten, as it was (parents before children). */
  before: BackupNode[];
  /** Every node created or overwritten, as the change wrote it. */
  after: BackupNode[];
  /** Kubernetes: the whole ConfigMap as it was (what `kubectl replace -f` takes). */
  configMap?: unknown;
  /** `completedCheckpoint` files the change wrote into the HA storage directory (removed on restore). */
  files?: CreatedFile[];
}

/** A file a change created, with what it held (a restore removes it only if it still holds that). */
export interface CreatedFile {
  uri: string;
  size: number;
  sha256: string;
}

/** Writes `content` to `path` atomically: a temporary file in the same directory, fsync, rename. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, path);
}

/** Writes a backup into `dir` (created if needed); returns its path. Never overwrites a file. */
export async function writeBackup(dir: string, backup: HaBackup): Promise<string> {
  await mkdir(dir, { recursive: true });
  const stamp = backup.createdAt.replace(/[:.]/g, '-');
  const path = join(dir, `ckpt-ha-backup-${backup.jobId || 'job'}-${stamp}-${randomBytes(3).toString('hex')}.json`);
  await writeFileAtomic(path, `${JSON.stringify(backup, null, 2)}\n`);
  return path;
}

/**
 * Reads and checks a backup file.
 * @throws HaError `BadBackup`
 */
export async function readBackup(path: string): Promise<HaBackup> {
  const bad = (detail: string): HaError => new HaError('BadBackup', detail, { file: path });
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw bad(`not a readable JSON file: ${e instanceof Error ? e.message : String(e)}`);
  }
  const b = doc as Partial<HaBackup>;
  if (typeof doc !== 'object' || doc === null || b.format !== BACKUP_FORMAT || b.version !== 1) throw bad('not a ckpt HA backup (format/version)');
  if (b.kind !== 'zookeeper' && b.kind !== 'kubernetes') throw bad(`unknown store kind ${String(b.kind)}`);
  const nodes = (v: unknown, name: string): BackupNode[] => {
    if (!Array.isArray(v) || v.some((n) => typeof n?.path !== 'string' || typeof n?.data !== 'string')) throw bad(`${name} is not a list of nodes`);
    return v as BackupNode[];
  };
  nodes(b.before, 'before');
  nodes(b.after, 'after');
  if (typeof b.location !== 'string' || typeof b.jobId !== 'string') throw bad('location / jobId missing');
  if (b.files !== undefined && (!Array.isArray(b.files) || b.files.some((f) => typeof f?.uri !== 'string' || typeof f?.sha256 !== 'string' || typeof f?.size !== 'number'))) {
    throw bad('files is not a list of created files');
  }
  return b as HaBackup;
}
