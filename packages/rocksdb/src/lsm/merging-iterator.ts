import type { TableIterator } from '../sst/table-iterator.js';

/**
 * A k-way merge of table iterators in internal-key order (user key ascending, newest version
 * first), kept as a binary min-heap of the positioned iterators. Ties (the same internal key in
 * two files) keep the earlier child first.
 */
export class MergingIterator {
  private heap: TableIterator[] = [];
  private readonly rank = new Map<TableIterator, number>();

  constructor(private readonly children: readonly TableIterator[]) {
    children.forEach((c, i) => this.rank.set(c, i));
  }

  get valid(): boolean {
    return this.heap.length > 0;
  }

  /** The iterator holding the smallest key (valid only while `valid`). */
  get top(): TableIterator {
    return this.heap[0]!;
  }

  async seekToFirst(): Promise<boolean> {
    return this.rebuild(await Promise.all(this.children.map((c) => c.seekToFirst())));
  }

  async seek(target: Uint8Array): Promise<boolean> {
    return this.rebuild(await Promise.all(this.children.map((c) => c.seek(target))));
  }

  /**
   * Advances past the current top entry: synchronously inside the children's blocks, with a promise
   * when a child must read its next block (`const r = m.next(); if (r !== true && r !== false) await r`).
   */
  next(): boolean | Promise<boolean> {
    const top = this.heap[0]!;
    const r = top.next();
    if (r === true || r === false) return this.settle(top, r);
    // (in a method of its own: a closure here would make every call allocate its context)
    return this.settleLater(top, r);
  }

  private async settleLater(top: TableIterator, read: Promise<boolean>): Promise<boolean> {
    return this.settle(top, await read);
  }

  private settle(top: TableIterator, ok: boolean): boolean {
    if (ok) this.siftDown(0);
    else {
      const last = this.heap.pop()!;
      if (this.heap.length > 0 && last !== top) {
        this.heap[0] = last;
        this.siftDown(0);
      }
    }
    return this.heap.length > 0;
  }

  private rebuild(positioned: boolean[]): boolean {
    this.heap = this.children.filter((_, i) => positioned[i]);
    for (let i = (this.heap.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
    return this.heap.length > 0;
  }

  private less(a: TableIterator, b: TableIterator): boolean {
    const c = a.compareTo(b);
    return c < 0 || (c === 0 && this.rank.get(a)! < this.rank.get(b)!);
  }

  private siftDown(i: number): void {
    const h = this.heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[m]!, h[i]!)) return;
      const t = h[i]!;
      h[i] = h[m]!;
      h[m] = t;
      i = m;
    }
  }
}
