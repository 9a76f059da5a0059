import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, spawnServer } from './util.js';

const DIR = fileURLToPath(new URL('./hdfs/', import.meta.url));
const JAR = join(DIR, 'target', 'hdfs-minicluster-launcher-0.1.0.jar');

/**
 * Builds the MiniDFSCluster launcher (scripts/servers/hdfs/pom.xml) unless built: first offline
 * (`mvn -o`, works once ~/.m2 holds the artifacts), then online.
 */
export async function ensureHdfsLauncher(): Promise<string> {
  try {
    await access(JAR);
    await access(join(DIR, 'target', 'lib', 'hadoop-client-minicluster-3.4.1.jar'));
    return JAR;
  } catch {
    /* build */
  }
  try {
    await run('mvn', ['-q', '-B', '-o', 'package'], { cwd: DIR, timeoutMs: 900_000 });
  } catch {
    await run('mvn', ['-q', '-B', 'package'], { cwd: DIR, timeoutMs: 900_000 });
  }
  await access(JAR);
  return JAR;
}

export interface HdfsServer {
  /** NameNode HTTP address host:port (WebHDFS). */
  httpAddress: string;
  rpcPort: number;
  stop: () => Promise<void>;
}

/** One NameNode + one DataNode (MiniDFSCluster) with WebHDFS, all on 127.0.0.1. */
export async function startHdfs(): Promise<HdfsServer> {
  const jar = await ensureHdfsLauncher();
  const cp = `${jar}:${join(DIR, 'target', 'lib', '*')}`;
  const srv = spawnServer('java', ['-Xmx768m', '-Djava.net.preferIPv4Stack=true', '-cp', cp, 'ckpt.HdfsLauncher'], { stdinPipe: true });
  const ready = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error(`HDFS MiniDFSCluster did not start within 120 s\n${srv.output()}`)), 120_000);
    srv.child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      const m = /READY (\d+) (\d+)/.exec(buf);
      if (m) {
        clearTimeout(t);
        resolve(m[0]);
      }
    });
    srv.child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`HDFS launcher exited with ${code}\n${srv.output()}`));
    });
  }).catch(async (e: unknown) => {
    await srv.stop();
    throw e;
  });
  const [, http, rpc] = ready.split(' ');
  return { httpAddress: `127.0.0.1:${http}`, rpcPort: Number(rpc), stop: srv.stop };
}
