import { verifyCheckpoint, type VerifyReport } from '@ckpt/storage';
import { noProgress, type ProgressRunner } from '../progress.js';

export interface VerifyCommandOptions {
  digests?: boolean;
  writeManifest?: boolean;
  json?: boolean;
}

/**
 * `ckpt verify <pointer>`: every file the checkpoint references exists and is long enough for the
 * offsets into it; with `--digests` every file is streamed once (SHA-256) and compared with
 * `ckpt-manifest.json` when there is one; `--write-manifest` writes that manifest (atomically).
 * Returns 0 when the checkpoint is complete, 4 when files are missing, short or changed.
 */
export async function verify(pointer: string, opts: VerifyCommandOptions, out: (s: string) => void, progress: ProgressRunner = noProgress): Promise<number> {
  const label = opts.digests || opts.writeManifest ? 'verify (digests)' : 'verify';
  const report = await progress(label, (onProgress) =>
    verifyCheckpoint(pointer, {
      ...(opts.digests ? { digests: true } : {}),
      ...(opts.writeManifest ? { writeManifest: true } : {}),
      onProgress,
    }),
  );
  out(opts.json ? JSON.stringify(report, null, 2) : render(report));
  return report.ok ? 0 : 4;
}

function render(r: VerifyReport): string {
  const lines = [
    `${r.ok ? 'OK' : 'BROKEN'}: ${r.resolved.metadataUri}`,
    `files referenced: ${r.files.length}, problems: ${r.problems.length}${r.manifestChecked ? ', manifest checked' : ''}${r.manifest ? ', manifest written' : ''}`,
  ];
  for (const p of r.problems.slice(0, 50)) lines.push(`  ${p.problem}: ${p.uri}${p.detail ? ` (${p.detail})` : ''}`);
  if (r.problems.length > 50) lines.push(`  … ${r.problems.length - 50} more`);
  return lines.join('\n');
}
