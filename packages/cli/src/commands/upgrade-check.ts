import type { CheckpointMetadata } from '@ckpt/format';
import type { HandleResolver } from '@ckpt/state';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';
import { collectFacts, renderUpgradeReport, resolveTarget, upgradeCheck, type Backend, type UpgradeCheckOptions as JobFacts, type UpgradeReport } from '@ckpt/upgrade';

export interface UpgradeCheckOptions {
  to: string;
  json?: boolean;
  /** `--ttl-toggle` (all keyed states) or `--ttl-toggle a,b`. */
  ttlToggle?: boolean | string;
  backend?: string;
}

/** The upgrade findings for a decoded checkpoint whose state files `resolver` reads (also used by `report`). */
export async function upgradeReport(metadata: CheckpointMetadata, resolver: HandleResolver, target: string, job: JobFacts = {}): Promise<UpgradeReport> {
  const facts = await collectFacts(metadata, { resolve: (h) => resolver.resolve(h) });
  return upgradeCheck(facts, target, job);
}

/** What the options say about the new job (checked by `upgradeCheck`). */
function jobFacts(opts: UpgradeCheckOptions): JobFacts {
  const t = opts.ttlToggle;
  return {
    ...(t === undefined ? {} : { ttlToggle: typeof t === 'string' ? t.split(',').map((x) => x.trim()).filter(Boolean) : t }),
    ...(opts.backend === undefined ? {} : { backend: opts.backend as Backend }),
  };
}

/**
 * `ckpt upgrade-check <checkpoint> --to <flink version>`: would that Flink restore the snapshot?
 * Returns 3 when it would refuse, fail while restoring, or lose state; 0 otherwise (warnings too).
 */
export async function upgradeCheckCommand(pointer: string, opts: UpgradeCheckOptions, out: (s: string) => void): Promise<number> {
  const target = resolveTarget(opts.to);
  const storages = new Storages();
  try {
    const { metadata, resolver } = await loadCheckpointState(pointer, { storages });
    const r = await upgradeReport(metadata, resolver, target, jobFacts(opts));
    if (opts.json) out(JSON.stringify(r, null, 2));
    else for (const line of renderUpgradeReport(r)) out(line);
    return r.blocking ? 3 : 0;
  } finally {
    await storages.close();
  }
}
