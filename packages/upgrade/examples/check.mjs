// Would Flink 2.3 restore this savepoint? Run after `pnpm build`:
//   node packages/upgrade/examples/check.mjs [checkpoint-dir] [target]
import { fileURLToPath } from 'node:url';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';
import { collectFacts, renderUpgradeReport, upgradeCheck } from '@ckpt/upgrade';

const dir = process.argv[2] ?? fileURLToPath(new URL('../../../fixtures/generated/1.20.3/kryo-state-savepoint', import.meta.url));
const target = process.argv[3] ?? '2.3';
const storages = new Storages();
try {
  const { metadata, resolver } = await loadCheckpointState(dir, { storages });
  // _metadata facts plus every state file's header (serializer snapshots, state names, versions)
  const facts = await collectFacts(metadata, { resolve: (h) => resolver.resolve(h) });
  const report = upgradeCheck(facts, target);
  for (const line of renderUpgradeReport(report)) console.log(line);
  process.exitCode = report.blocking ? 3 : 0;
} finally {
  await storages.close();
}
