import { startHdfs, type HdfsServer } from '../../../scripts/servers/hdfs.js';
import { contractSuite } from './contract.js';

let srv: HdfsServer | undefined;
contractSuite(
  'HDFS via WebHDFS (MiniDFSCluster on 127.0.0.1, following redirects)',
  async () => {
    srv = await startHdfs();
    return { base: `hdfs://127.0.0.1:${srv.rpcPort}/ckpt/redirect`, options: { hdfs: { httpAddress: srv.httpAddress, user: 'ckpt' }, retry: { retries: 3, baseDelayMs: 50 } } };
  },
);
contractSuite(
  'WebHDFS with noredirect (webhdfs://)',
  async () => {
    if (srv === undefined) throw new Error('HDFS not started');
    return { base: `webhdfs://${srv.httpAddress}/ckpt/noredirect`, options: { hdfs: { user: 'ckpt', noredirect: true }, retry: { retries: 3, baseDelayMs: 50 } } };
  },
  async () => srv?.stop(),
);
