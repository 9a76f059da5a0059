import { createServer, request, type Server } from 'node:http';
import { HOST } from './util.js';

/** One injected fault, applied to the next matching request. */
export type Fault =
  | { kind: 'status'; status: 500 | 503 | 429; body?: string }
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' };

export interface FaultProxy {
  origin: string;
  port: number;
  /** Faults consumed in order by requests whose method matches (default GET). */
  inject: (fault: Fault, method?: string) => void;
  /** Remaining queued faults. */
  pending: () => number;
  log: { method: string; url: string; range?: string; fault?: string }[];
  stop: () => Promise<void>;
}

/**
 * A loopback HTTP proxy in front of one upstream (also 127.0.0.1). Requests are forwarded
 * unchanged (Host header included, so signed S3 requests stay valid). Queued faults: answer
 * 500/503/429, cut the connection after N body bytes, delay, or reset before answering.
 */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  const queue: { fault: Fault; method: string }[] = [];
  const log: FaultProxy['log'] = [];
  const server: Server = createServer((req, res) => {
    const qi = queue.findIndex((q) => q.method === req.method);
    const f = qi >= 0 ? queue.splice(qi, 1)[0]?.fault : undefined;
    // Azure sends its range as x-ms-range
    const range = req.headers.range ?? (req.headers['x-ms-range'] as string | undefined);
    log.push({ method: req.method ?? '', url: req.url ?? '', range, fault: f?.kind });
    if (f?.kind === 'status') {
      req.resume();
      const body = f.body ?? (f.status === 503 ? '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' : 'injected');
      res.writeHead(f.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    if (f?.kind === 'reset') {
      req.resume();
      return void req.socket.destroy();
    }
    const forward = (): void => {
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          if (f?.kind !== 'cut') return void ur.pipe(res);
          let sent = 0;
          ur.on('data', (c: Buffer) => {
            if (sent >= f.afterBytes) return;
            const part = c.subarray(0, f.afterBytes - sent);
            sent += part.length;
            res.write(part, () => {
              if (sent >= f.afterBytes) {
                ur.destroy();
                res.socket?.destroy();
              }
            });
          });
          ur.on('end', () => res.end());
        },
      );
      up.on('error', () => res.socket?.destroy());
      req.pipe(up);
    };
    if (f?.kind === 'delay') setTimeout(forward, f.ms);
    else forward();
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  const a = server.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  return {
    origin: `http://${HOST}:${port}`,
    port,
    inject: (fault, method = 'GET') => queue.push({ fault, method }),
    pending: () => queue.length,
    log,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
