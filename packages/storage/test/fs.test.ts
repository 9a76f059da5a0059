import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractSuite } from './contract.js';

let dir = '';
contractSuite(
  'local disk (file://)',
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'ckpt-fs-contract-'));
    return { base: `file://${dir}`, options: {} };
  },
  async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  },
);
