import type { Reply, Request } from './protocol.js';

declare const __WORKER_SOURCE__: string;

/** The page's side of the worker: one promise per request; progress (entries read so far) to a callback. */
export class WorkerClient {
  private readonly worker: Worker;
  private next = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; progress?: (done: number) => void }>();

  constructor() {
    // inlined at build time and started from a Blob URL: works from file:// and any static host
    const url = URL.createObjectURL(new Blob([__WORKER_SOURCE__], { type: 'text/javascript' }));
    this.worker = new Worker(url);
    this.worker.onmessage = (e: MessageEvent<Reply>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new ViewerFailure('WorkerError', e.message || 'the worker failed'));
      this.pending.clear();
    };
  }

  call<T>(request: Request, progress?: (done: number) => void): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, ...(progress ? { progress } : {}) });
      this.worker.postMessage({ id, request });
    });
  }

  private receive(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    if ('progress' in r) p.progress?.(r.progress);
    else {
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.result);
      else p.reject(new ViewerFailure(r.error.code, r.error.message));
    }
  }
}

/** An error the worker answered: the packages' typed error code and message. */
export class ViewerFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
