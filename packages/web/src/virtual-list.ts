import { h } from './dom.js';

/** Height of one row, px (fixed: the list positions rows by index). */
export const ROW_HEIGHT = 22;
/** Rows fetched beyond the visible ones on each side. */
const MARGIN = 100;

/** Where the lines live (the worker): lines `from` (inclusive) to `to` (exclusive). */
export type LineSource = (from: number, to: number) => Promise<string[]>;

/**
 * A list of any number of text lines that draws only the rows in view: a spacer as tall as all
 * rows scrolls, and the drawn rows are placed over it. The lines stay where they are made (the
 * worker); the list fetches the window in view, so the page holds a few hundred lines whatever
 * the count — smooth at 10⁶ and beyond.
 */
export class VirtualList {
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private count = 0;
  private window: { from: number; lines: string[] } = { from: 0, lines: [] };
  private pending: { from: number; to: number } | undefined;
  private frame = 0;
  private selected = -1;
  /** Bumped by {@link reset}: answers to fetches of an earlier generation are dropped. */
  private generation = 0;

  constructor(
    label: string,
    public source: LineSource,
    private readonly onSelect: (index: number, line: string) => void,
  ) {
    this.spacer = h('div', { class: 'spacer', role: 'presentation' });
    this.element = h('div', { class: 'vlist', role: 'list', tabindex: 0, 'aria-label': label }, this.spacer);
    this.element.addEventListener('scroll', () => this.schedule());
    this.element.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.row');
      if (row) this.select(Number(row.dataset.index));
    });
    this.element.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      e.preventDefault();
      this.select(Math.max(0, Math.min(this.count - 1, this.selected + (e.key === 'ArrowDown' ? 1 : -1))));
      this.reveal(this.selected);
    });
  }

  get length(): number {
    return this.count;
  }

  /** Starts over with another source (no lines yet). */
  reset(source: LineSource): void {
    this.source = source;
    this.generation++;
    this.count = 0;
    this.window = { from: 0, lines: [] };
    this.pending = undefined;
    this.selected = -1;
    this.element.scrollTop = 0;
    this.schedule();
  }

  /** The source now has `n` lines. */
  setLength(n: number): void {
    this.count = n;
    this.schedule();
  }

  /** Scrolls so that row `i` is in view. */
  reveal(i: number): void {
    const top = i * ROW_HEIGHT;
    const el = this.element;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    this.schedule();
  }

  private line(i: number): string | undefined {
    return this.window.lines[i - this.window.from];
  }

  private select(i: number): void {
    if (i < 0 || i >= this.count) return;
    this.selected = i;
    const l = this.line(i);
    if (l !== undefined) this.onSelect(i, l);
    else void this.source(i, i + 1).then((ls) => ls[0] !== undefined && this.onSelect(i, ls[0]));
    this.schedule();
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  /** Draws the rows in view; fetches them first when the window held does not cover them. */
  private draw(): void {
    this.frame = 0;
    const el = this.element;
    this.spacer.style.height = `${this.count * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(el.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(this.count, Math.ceil((el.scrollTop + (el.clientHeight || 400)) / ROW_HEIGHT) + 5);
    const w = this.window;
    if (first < w.from || last > w.from + w.lines.length) this.fetch(first, last);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const text = this.line(i);
      if (text === undefined) continue;
      const row = h('div', { class: i === this.selected ? 'row selected' : 'row', role: 'listitem', 'aria-posinset': i + 1, 'aria-setsize': this.count }, text);
      row.style.top = `${i * ROW_HEIGHT}px`;
      row.dataset.index = String(i);
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
  }

  private fetch(first: number, last: number): void {
    const from = Math.max(0, first - MARGIN);
    const to = Math.min(this.count, last + MARGIN);
    if (this.pending && this.pending.from <= first && this.pending.to >= last) return;
    const want = { from, to };
    this.pending = want;
    const generation = this.generation;
    void this.source(from, to).then((lines) => {
      if (this.generation !== generation) return;
      if (this.pending === want) this.pending = undefined;
      this.window = { from, lines };
      this.schedule();
    });
  }
}
