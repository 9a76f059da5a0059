import { startHttpFileServer, type HttpFileServer } from '../../../scripts/servers/http.js';
import { contractSuite } from './contract.js';

let srv: HttpFileServer | undefined;
contractSuite(
  'HTTP Range (node:http on 127.0.0.1)',
  async () => {
    srv = await startHttpFileServer();
    return { base: `${srv.origin}/run`, options: { retry: { retries: 2, baseDelayMs: 10 } }, canList: false };
  },
  async () => srv?.stop(),
);

let srv2: HttpFileServer | undefined;
contractSuite(
  'HTTP server ignoring Range',
  async () => {
    srv2 = await startHttpFileServer();
    srv2.ignoreRange = true;
    return { base: `${srv2.origin}/run`, options: { retry: { retries: 2, baseDelayMs: 10 } }, canList: false };
  },
  async () => srv2?.stop(),
);
