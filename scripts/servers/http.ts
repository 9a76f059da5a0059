import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { randomBytes } from 'node:crypto';
import { HOST } from './util.js';

export interface HttpFileServer {
  origin: string;
  root: string;
  port: number;
  /** When true, Range headers are ignored (200 with the whole body). */
  ignoreRange: boolean;
  requests: { method: string; url: string; range?: string }[];
  stop: () => Promise<void>;
}

/**
 * A node:http file server over a temp directory on 127.0.0.1: GET/HEAD with single-range
 * support, 200 on `dir/` for directories, PUT (temp file + rename) and DELETE.
 */
export async function startHttpFileServer(): Promise<HttpFileServer> {
  const root = await mkdtemp(join(tmpdir(), 'ckpt-http-'));
  const state: HttpFileServer = { origin: '', root, port: 0, ignoreRange: false, requests: [], stop: async () => undefined };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rel = decodeURIComponent(url.pathname);
      const file = normalize(join(root, rel));
      state.requests.push({ method: req.method ?? '', url: rel, range: req.headers.range });
      if (!file.startsWith(root)) return void res.writeHead(403).end();
      if (req.method === 'PUT') {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        await mkdir(dirname(file), { recursive: true });
        const tmp = join(dirname(file), `.${randomBytes(6).toString('hex')}.tmp`);
        await writeFile(tmp, Buffer.concat(chunks));
        await rename(tmp, file);
        return void res.writeHead(201).end();
      }
      if (req.method === 'DELETE') {
        await rm(file, { force: true });
        return void res.writeHead(204).end();
      }
      const st = await stat(file).catch(() => undefined);
      if (st === undefined) return void res.writeHead(404).end('not found');
      if (st.isDirectory()) {
        if (!rel.endsWith('/')) return void res.writeHead(404).end('not found');
        return void res.writeHead(200, { 'content-type': 'text/plain' }).end(req.method === 'HEAD' ? undefined : 'directory');
      }
      const size = st.size;
      const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
      const headers = { 'accept-ranges': state.ignoreRange ? 'none' : 'bytes', 'last-modified': st.mtime.toUTCString(), 'content-type': 'application/octet-stream' };
      if (m && !state.ignoreRange) {
        let start = m[1] === '' ? size - Number(m[2]) : Number(m[1]);
        let end = m[1] === '' || m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
        if (start < 0) start = 0;
        if (start >= size) return void res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        if (end < start) end = start;
        res.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
        if (req.method === 'HEAD') return void res.end();
        return void createReadStream(file, { start, end }).pipe(res);
      }
      res.writeHead(200, { ...headers, 'content-length': size });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(file).pipe(res);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  const a = server.address();
  state.port = typeof a === 'object' && a !== null ? a.port : 0;
  state.origin = `http://${HOST}:${state.port}`;
  state.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await rm(root, { recursive: true, force: true });
  };
  return state;
}
