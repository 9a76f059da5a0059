/**
 * Builds the test servers that are not npm packages, idempotently (no-op when already built):
 *   - fake-gcs-server → scripts/servers/.bin/ (go install, Go module proxy or GOFLAGS=-mod=mod cache)
 *   - HDFS MiniDFSCluster launcher → scripts/servers/hdfs/target/ (mvn -o first, then online)
 * Run: npx tsx scripts/servers/prepare.ts   (the storage tests also call these on demand)
 */
import { ensureFakeGcs } from './gcs.js';
import { ensureHdfsLauncher } from './hdfs.js';

export async function prepareServers(): Promise<void> {
  const t0 = Date.now();
  const [gcs, hdfs] = await Promise.all([ensureFakeGcs(), ensureHdfsLauncher()]);
  console.log(`storage test servers ready in ${Date.now() - t0} ms: ${gcs}, ${hdfs}`);
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  await prepareServers();
}
