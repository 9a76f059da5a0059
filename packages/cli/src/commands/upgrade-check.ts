import type { CheckpointMetadata } from '@ckpt/format';
import type { HandleResolver } from '@ckpt/state';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';
import { collectFacts, renderUpgradeReport, resolveTarget, upgradeCheck, type UpgradeReport } from '@ckpt/upgrade';

export interface UpgradeCheckOptions {
  to: string;
  json?: boolean;
}

/** The upgrade findings for a decoded checkpoint whose state files `resolver` reads (also used by `report`). */
export async function upgradeReport(metadata: CheckpointMetadata, resolver: HandleResolver, target: string): Promise<UpgradeReport> {
  const facts = await collectFacts(metadata, { resolve: (h) => resolver.resolve(h) });
  return upgradeCheck(facts, target);
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
    const r = await upgradeReport(metadata, resolver, target);
    if (opts.json) out(JSON.stringify(r, null, 2));
    else for (const line of renderUpgradeReport(r)) out(line);
    return r.blocking ? 3 : 0;
  } finally {
    await storages.close();
  }
}
