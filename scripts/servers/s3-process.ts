/**
 * s3rver in a process of its own (for bench/: a remote server does not share the client's CPU).
 * Prints one JSON line {endpoint, bucket, port} when ready; stops on SIGTERM or when stdin closes.
 *   node --import tsx scripts/servers/s3-process.ts BUCKET
 */
import { startS3 } from './s3.js';

const server = await startS3(process.argv[2] ?? 'ckpt-test');
const stop = async (): Promise<void> => {
  await server.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
console.log(JSON.stringify({ endpoint: server.endpoint, bucket: server.bucket, port: server.port }));
