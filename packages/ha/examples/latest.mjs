// Which checkpoint does Flink restore after a failover? Run from the repository root after `pnpm build`:
//   node packages/ha/examples/latest.mjs packages/ha/test/fixtures/2.3.0/configmap.json
//   node packages/ha/examples/latest.mjs zk-host:2181 my-cluster-id [job-id]
import { readFileSync } from 'node:fs';
import { followStore, latestEntry, readConfigMapStore, readZooKeeperStore } from '@ckpt/ha';

const [target, clusterId, jobId] = process.argv.slice(2);
if (target === undefined) {
  console.error('usage: latest.mjs <configmap.json | host:port [cluster-id [job-id]]>');
  process.exit(2);
}
const store = /\.(json|ya?ml)$/.test(target)
  ? readConfigMapStore(readFileSync(target, 'utf8'), { file: target })
  : await readZooKeeperStore({ connect: target, clusterId, jobId });

console.log(`${store.kind} store of job ${store.jobId}, counter ${store.counter ?? 'absent'}`);
for (const e of store.entries) console.log(`  ${e.id}  ${e.markedForDeletion ? 'marked for deletion' : 'retained'}  ${e.handle?.file}`);
console.log(`a failover restores checkpoint ${latestEntry(store)?.id ?? '(none)'}`);

// follow the entries to the completedCheckpoint files in the HA storage dir (problems are reported, not thrown)
const followed = await followStore(store);
for (const f of followed.entries) {
  console.log(`  ${f.entry.id}: ${f.checkpoint?.externalPointer ?? f.problems.map((p) => p.kind).join(', ')}`);
}
