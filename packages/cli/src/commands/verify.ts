import { HandleResolver, verifyStateFiles, type StateFilesReport } from '@ckpt/state';
import { storageOpener } from '@ckpt/state/node';
import { loadCheckpoint, Storages, verifyCheckpoint, type VerifyReport } from '@ckpt/storage';
import { UsageError } from '@ckpt/format';
import { noProgress, type ProgressRunner } from '../progress.js';

export interface VerifyCommandOptions {
  digests?: boolean;
  writeManifest?: boolean;
  deep?: boolean;
  jobs?: string;
  json?: boolean;
}

/** `verify`'s report, with the contents check of `--deep`. */
export type VerifyCommandReport = VerifyReport & { deep?: StateFilesReport };

function parseJobs(spec: string | undefined): number {
  if (spec === undefined) return 4;
  const n = Number(spec);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError('BadArgument', `--jobs expects a whole number from 1 to 256, got ${spec}`);
  return n;
}

/**
 * `ckpt verify <pointer>`: every file the checkpoint references exists and is long enough for the
 * offsets into it; with `--digests` every file is streamed once (SHA-256) and compared with
 * `ckpt-manifest.json` when there is one; `--write-manifest` writes that manifest (atomically).
 * `--deep` also reads every state file (`verifyStateFiles` of `@ckpt/state`: SST blocks, MANIFEST
 * records, live SSTs, state headers, key-group offsets), `--jobs N` files at a time.
 * Returns 0 when the checkpoint is complete, 4 when files are missing, short, changed or corrupt.
 */
export async function verify(pointer: string, opts: VerifyCommandOptions, out: (s: string) => void, progress: ProgressRunner = noProgress): Promise<number> {
  const jobs = parseJobs(opts.jobs);
  const label = opts.digests || opts.writeManifest ? 'verify (digests)' : 'verify';
  const storages = new Storages();
  try {
    // `_metadata` is read and decoded once, for both checks
    const loaded = await loadCheckpoint(pointer, { storages });
    const report: VerifyCommandReport = await progress(label, (onProgress) =>
      verifyCheckpoint(pointer, {
        storages,
        loaded,
        ...(opts.digests ? { digests: true } : {}),
        ...(opts.writeManifest ? { writeManifest: true } : {}),
        onProgress,
      }),
    );
    if (opts.deep) {
      const resolver = new HandleResolver({ metadataDir: loaded.resolved.directory, open: storageOpener(storages) });
      report.deep = await progress('verify --deep', (onProgress) => verifyStateFiles(loaded.metadata, resolver, { jobs, onProgress }));
      report.ok &&= report.deep.problems.length === 0;
    }
    out(opts.json ? JSON.stringify(report, null, 2) : render(report));
    return report.ok ? 0 : 4;
  } finally {
    await storages.close();
  }
}

const SHOWN = 50;

function render(r: VerifyCommandReport): string {
  const lines = [
    `${r.ok ? 'OK' : 'BROKEN'}: ${r.resolved.metadataUri}`,
    `files referenced: ${r.files.length}, problems: ${r.problems.length}${r.manifestChecked ? ', manifest checked' : ''}${r.manifest ? ', manifest written' : ''}`,
  ];
  for (const p of r.problems.slice(0, SHOWN)) lines.push(`  ${p.problem}: ${p.uri}${p.detail ? ` (${p.detail})` : ''}`);
  if (r.problems.length > SHOWN) lines.push(`  … ${r.problems.length - SHOWN} more`);
  if (r.deep) {
    lines.push(`state files read (--deep): ${r.deep.checks} checks, problems: ${r.deep.problems.length}`);
    for (const p of r.deep.problems.slice(0, SHOWN)) {
      const where = [p.localPath, p.offset === undefined ? undefined : `offset ${p.offset}`, p.path].filter((x) => x !== undefined).join(', ');
      lines.push(`  ${p.code}: ${p.file} (${where}): ${p.message}`);
    }
    if (r.deep.problems.length > SHOWN) lines.push(`  … ${r.deep.problems.length - SHOWN} more`);
  }
  return lines.join('\n');
}
