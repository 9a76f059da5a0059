/**
 * The page's list on its own, for the 10⁶-entry test: its lines live in a worker (as the viewer's
 * entries do) and are made when asked for.
 */
import { VirtualList } from '../src/virtual-list.js';

function lineWorker(): void {
  onmessage = (e: MessageEvent<{ id: number; from: number; to: number }>) => {
    const { id, from, to } = e.data;
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push(JSON.stringify({ subtask: 0, keyGroup: i % 128, state: 's', key: `k${i}`, value: i }));
    postMessage({ id, out });
  };
}

const worker = new Worker(URL.createObjectURL(new Blob([`(${lineWorker.toString()})()`], { type: 'text/javascript' })));
const waiting = new Map<number, (lines: string[]) => void>();
let next = 0;
worker.onmessage = (e: MessageEvent<{ id: number; out: string[] }>) => {
  waiting.get(e.data.id)?.(e.data.out);
  waiting.delete(e.data.id);
};
const source = (from: number, to: number) =>
  new Promise<string[]>((ok) => {
    const id = next++;
    waiting.set(id, ok);
    worker.postMessage({ id, from, to });
  });

const list = new VirtualList('entries', source, () => {});
document.body.appendChild(list.element);
(globalThis as unknown as { list: VirtualList }).list = list;
