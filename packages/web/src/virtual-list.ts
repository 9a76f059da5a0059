import { h } from './dom.js';

/** Height of one row, px (fixed: the list positions rows by index). */
export const ROW_HEIGHT = 22;

/**
 * A list that holds any number of text lines but draws only the rows in view (plus a few): a
 * spacer as tall as all rows scrolls, and the drawn rows are placed over it. Smooth at 10⁶ lines.
 */
export class VirtualList {
  readonly element: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private lines: string[] = [];
  private frame = 0;
  private selected = -1;

  constructor(
    label: string,
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
      this.select(Math.max(0, Math.min(this.lines.length - 1, this.selected + (e.key === 'ArrowDown' ? 1 : -1))));
      this.reveal(this.selected);
    });
  }

  get length(): number {
    return this.lines.length;
  }

  clear(): void {
    this.lines = [];
    this.selected = -1;
    this.schedule();
  }

  push(lines: string[]): void {
    for (const l of lines) this.lines.push(l);
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

  private select(i: number): void {
    if (i < 0 || i >= this.lines.length) return;
    this.selected = i;
    this.onSelect(i, this.lines[i]!);
    this.schedule();
  }

  private schedule(): void {
    if (this.frame === 0) this.frame = requestAnimationFrame(() => this.draw());
  }

  /** Draws the rows in view: at most a screenful plus a margin, whatever the number of lines. */
  draw(): void {
    this.frame = 0;
    const el = this.element;
    this.spacer.style.height = `${this.lines.length * ROW_HEIGHT}px`;
    const first = Math.max(0, Math.floor(el.scrollTop / ROW_HEIGHT) - 10);
    const last = Math.min(this.lines.length, Math.ceil((el.scrollTop + (el.clientHeight || 400)) / ROW_HEIGHT) + 10);
    const rows: HTMLElement[] = [];
    for (let i = first; i < last; i++) {
      const row = h('div', { class: i === this.selected ? 'row selected' : 'row', role: 'listitem', 'aria-posinset': i + 1, 'aria-setsize': this.lines.length }, this.lines[i]!);
      row.style.top = `${i * ROW_HEIGHT}px`;
      row.dataset.index = String(i);
      rows.push(row);
    }
    this.spacer.replaceChildren(...rows);
  }
}
