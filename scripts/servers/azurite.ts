import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { freePort, HOST, spawnServer, STORAGE_PKG, waitForPort } from './util.js';

export interface AzuriteServer {
  blobEndpoint: string;
  connectionString: string;
  accountName: string;
  accountKey: string;
  stop: () => Promise<void>;
}

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite 3.35 blob service on 127.0.0.1, in-memory, telemetry off. */
export async function startAzurite(fromDir: string = STORAGE_PKG): Promise<AzuriteServer> {
  const req = createRequire(join(fromDir, 'package.json'));
  const pkg = req.resolve('azurite/package.json');
  const main = join(dirname(pkg), 'dist', 'src', 'blob', 'main.js');
  const port = await freePort();
  const srv = spawnServer(process.execPath, [
    main,
    '--blobHost', HOST,
    '--blobPort', String(port),
    '--inMemoryPersistence',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
    '--silent',
  ], { dieWithParent: true });
  try {
    await waitForPort(port, 30_000, 'azurite', srv.child);
  } catch (e) {
    await srv.stop();
    throw new Error(`${String(e)}\n${srv.output()}`);
  }
  const blobEndpoint = `http://${HOST}:${port}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    accountName: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
    stop: async () => {
      await srv.stop();
    },
  };
}
