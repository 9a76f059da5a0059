/**
 * Optional vitest globalSetup for the storage tests: builds fake-gcs-server and the HDFS
 * launcher once before any test file starts (each test file starts its own servers on
 * 127.0.0.1 and would otherwise build on first use). A build failure fails the run.
 * Wire with `test.globalSetup: ['scripts/servers/global-setup.ts']`.
 */
import { prepareServers } from './prepare.js';

export default async function setup(): Promise<void> {
  await prepareServers();
}
