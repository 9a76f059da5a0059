import { startFakeGcs, type GcsServer } from '../../../scripts/servers/gcs.js';
import { contractSuite } from './contract.js';

let srv: GcsServer | undefined;
contractSuite(
  'GCS (fake-gcs-server on 127.0.0.1)',
  async () => {
    srv = await startFakeGcs('ckpt-contract');
    return { base: `gs://${srv.bucket}/run`, options: { gcs: { apiEndpoint: srv.apiEndpoint, projectId: 'test' }, retry: { retries: 3, baseDelayMs: 20 } } };
  },
  async () => srv?.stop(),
);
