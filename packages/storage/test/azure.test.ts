import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type AzuriteServer } from '../../../scripts/servers/azurite.js';
import { contractSuite } from './contract.js';

let srv: AzuriteServer | undefined;

async function setup(scheme: 'wasb' | 'abfs', container: string) {
  srv ??= await startAzurite();
  await BlobServiceClient.fromConnectionString(srv.connectionString).getContainerClient(container).createIfNotExists();
  const host = scheme === 'wasb' ? 'blob' : 'dfs';
  return {
    base: `${scheme}://${container}@${srv.accountName}.${host}.core.windows.net/run`,
    options: { azure: { connectionString: srv.connectionString }, retry: { retries: 3, baseDelayMs: 20 } },
  };
}

contractSuite('Azure Blob wasb:// (Azurite 3.35 on 127.0.0.1)', () => setup('wasb', 'ckpt-wasb'));
contractSuite('Azure ADLS abfs:// over the Blob API (Azurite 3.35)', () => setup('abfs', 'ckpt-abfs'), async () => {
  await srv?.stop();
  srv = undefined;
});
