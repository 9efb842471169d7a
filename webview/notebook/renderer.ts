// Notebook renderer for attention outputs, in attention notebooks and in any other notebook
// (Jupyter's .ipynb included) whose output carries a MIME type that readSource reads: the panel's
// heatmap component, one per head, the heads' mean or maximum, or one thumbnail per layer × head.
// Loaded by VS Code as an ES module (contributes.notebookRenderer); never imports vscode.
//
// Outputs can be large (144 heads of 512 tokens are 150 MB of weights). A layer's weights are
// decoded when a view first shows it, the first heatmaps are drawn at once and the others when
// they scroll into sight, so an output costs little until someone looks at it.
import { HeadGroups } from '../../src/shared/headGroups';
import { aggregateHeads } from '../../src/shared/matrices';
import {
  ENGLISH_RENDERER_STRINGS,
  formatString,
  isToRenderer,
  OutputFormatError,
  type FromRenderer,
  type RendererStrings,
} from '../../src/shared/notebookOutput';
import { Heatmap, type Cell } from '../heatmap';
import { groupSeparator } from '../groupSeparator';
import { onThemeChange, readTheme } from '../theme';
import { thumbnail } from '../thumbnail';
import type { ActivationFunction, OutputItem } from './rendererApi';
import { readSource, type OutputSource } from './source';
import { RENDERER_CSS } from './style';

/** Narrowest a heatmap gets before the heads wrap onto another row. */
const MIN_MAP_WIDTH = 240;
const GAP = 16;
/** Cells drawn before the output is first shown; later heatmaps wait until they come into sight. */
const EAGER_CELLS = 512 * 512;

let strings: RendererStrings = ENGLISH_RENDERER_STRINGS;
const views = new Map<string, OutputView>();

/** What the output shows: every head, one head, the heads' mean or maximum, or the model view. */
type Show = 'all' | 'mean' | 'max' | 'model' | `head${number}`;

class OutputView {
  private maps: Heatmap[] = [];
  /** Heatmaps drawn so far (the rest wait for the observer). */
  private readonly drawnMaps = new Set<Heatmap>();
  private observer: IntersectionObserver | undefined;
  private readonly resize: ResizeObserver;
  private lastWidth = -1;
  /** Kept across rebuilds (the localized strings arriving, a layer chosen). */
  private layer = 0;
  private show: Show;
  /** How long the notebook's page was busy rendering this output (parse, first layer, first heatmaps). */
  private renderMs: number | undefined;
  /** Heatmaps drawn before the output was first shown; the others waited until they came into sight. */
  private eager: number | undefined;

  constructor(
    private readonly source: OutputSource,
    private readonly element: HTMLElement,
  ) {
    this.show = source.showMean ? 'mean' : 'all';
    this.build();
    this.resize = new ResizeObserver(() => {
      if (this.element.clientWidth !== this.lastWidth) this.draw();
    });
    this.resize.observe(this.element);
  }

  /** Builds (or rebuilds) the DOM of the output for the current layer and choice. */
  build(): void {
    const { source } = this;
    this.observer?.disconnect();
    this.drawnMaps.clear();
    this.maps = [];
    const root = document.createElement('div');
    root.className = 'attn-output';
    Object.assign(root.dataset, {
      tokens: String(source.n), heads: String(source.heads), layers: String(source.layers), layer: String(this.layer), show: this.show,
    });
    if (source.title) {
      const title = document.createElement('p');
      title.className = 'attn-title';
      title.textContent = source.title;
      root.append(title);
    }
    root.append(this.toolbar());
    if (source.generated !== undefined) root.append(generatedText(source, source.generated));
    if (source.topK !== undefined) {
      const note = document.createElement('p');
      note.className = 'attn-note';
      note.textContent = formatString(strings.topKNote, source.topK);
      root.append(note);
    }
    const status = document.createElement('div');
    status.className = 'attn-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    const content = document.createElement('div');
    root.append(content, status);
    this.element.replaceChildren(root);
    this.stamp();
    try {
      if (this.show === 'model') this.buildModel(content);
      else this.buildHeads(content, status);
    } catch (e) {
      // A layer whose weights are damaged says so in its place; the other layers stay choosable.
      if (!(e instanceof OutputFormatError)) throw e;
      content.replaceChildren(errorParagraph(e.message));
    }
    this.draw();
  }

  private toolbar(): HTMLElement {
    const bar = document.createElement('div');
    bar.className = 'attn-toolbar';
    const { layers, heads } = this.source;
    if (layers > 1 && this.show !== 'model') {
      const options = Array.from({ length: layers }, (_, l) => {
        const name = this.source.layerName(l);
        return { value: String(l), text: `${l + 1} / ${layers}${name ? ` · ${name}` : ''}` };
      });
      bar.append(this.choice(strings.layer, 'attn-layer', options, String(this.layer), (v) => (this.layer = Number(v))));
    }
    const shows = [
      { value: 'all', text: strings.allHeads },
      { value: 'mean', text: formatString(strings.meanOfHeads, heads) },
      { value: 'max', text: formatString(strings.maxOfHeads, heads) },
      ...Array.from({ length: heads }, (_, h) => ({ value: `head${h}`, text: this.headCaption(h) })),
      ...(layers > 1 ? [{ value: 'model', text: strings.model }] : []),
    ];
    bar.append(this.choice(strings.show, 'attn-show', shows, this.show, (v) => (this.show = v as Show)));
    return bar;
  }

  /** A labelled <select>; choosing an option sets it and rebuilds the output, keeping the focus on it. */
  private choice(
    text: string, className: string, options: { value: string; text: string }[], value: string, set: (value: string) => void,
  ): HTMLElement {
    const label = document.createElement('label');
    label.className = className;
    const select = document.createElement('select');
    select.className = `${className}-select`;
    for (const o of options) {
      const option = document.createElement('option');
      option.value = o.value;
      option.textContent = o.text;
      select.append(option);
    }
    select.value = value;
    select.addEventListener('change', () => {
      set(select.value);
      this.build();
      this.element.querySelector<HTMLSelectElement>(`.${className}-select`)?.focus();
    });
    label.append(`${text} `, select);
    return label;
  }

  /** How the heads of layer `layer` share key/value heads. */
  private groups(layer: number): HeadGroups {
    return new HeadGroups(this.source.heads, this.source.kvHeads(layer));
  }

  /** "Head 5", or "Head 5 · KV head 2 of 2" when query heads share key/value heads. */
  private headCaption(h: number): string {
    return this.groups(this.layer).withKv(`${strings.head} ${h + 1}`, h, strings.kvHead);
  }

  private buildHeads(content: HTMLElement, status: HTMLElement): void {
    const { source } = this;
    const weights = source.weights(this.layer); // [H][N][N]
    const { heads, n, tokens } = source;
    const grid = document.createElement('div');
    grid.className = 'attn-heads';
    const onFocus = (map: Heatmap, cell: Cell | undefined): void => {
      status.textContent = cell ? this.layerPrefix() + describeCell(map, cell, this.mapCaption(map.head)) : '';
    };
    const options = { maxLabel: strings.max };
    if (this.show === 'mean' || this.show === 'max') {
      const m = aggregateHeads({ layers: 1, heads, n, weights }, 0, this.show); // [N][N]
      const caption = formatString(this.show === 'mean' ? strings.meanOfHeads : strings.maxOfHeads, heads);
      const label = formatString(this.show === 'mean' ? strings.meanHeatmapLabel : strings.maxHeatmapLabel, heads);
      this.maps = [new Heatmap({ head: 0, tokens, n, weights: m }, caption, label, onFocus, options)];
    } else {
      const shown = this.show === 'all' ? Array.from({ length: heads }, (_, h) => h) : [Number(this.show.slice(4))];
      this.maps = shown.map((h) => {
        const w = weights.subarray(h * n * n, (h + 1) * n * n); // [N][N] of head h
        return new Heatmap({ head: h, tokens, n, weights: w }, this.headCaption(h), formatString(strings.heatmapLabel, h + 1), onFocus, options);
      });
    }
    const groups = this.groups(this.layer);
    for (const map of this.maps) {
      // A thin line between the heads of one key/value head and the next.
      if (this.show === 'all' && groups.startsGroup(map.head)) grid.append(groupSeparator('horizontal'));
      grid.append(map.element);
    }
    content.append(grid);
  }

  /** What a focused cell's map is called in the status line. */
  private mapCaption(head: number): string {
    if (this.show === 'mean') return formatString(strings.meanOfHeads, this.source.heads);
    if (this.show === 'max') return formatString(strings.maxOfHeads, this.source.heads);
    return this.headCaption(head);
  }

  /** Every layer × head as a thumbnail; a layer is decoded and drawn when its row comes into sight. */
  private buildModel(content: HTMLElement): void {
    const { source } = this;
    const grid = document.createElement('div');
    grid.className = 'attn-model';
    grid.setAttribute('role', 'group');
    grid.setAttribute('aria-label', strings.model);
    const css = Math.max(40, Math.min(96, Math.floor((this.element.clientWidth - 96) / source.heads) - 8));
    let drawn = 0;
    const fill = (row: HTMLElement, l: number): void => {
      let weights: Float32Array;
      try {
        weights = source.weights(l);
      } catch (e) {
        if (!(e instanceof OutputFormatError)) throw e;
        row.append(errorParagraph(e.message));
        return;
      }
      const nn = source.n * source.n;
      const groups = this.groups(l);
      for (let h = 0; h < source.heads; h++) {
        if (groups.startsGroup(h)) row.append(groupSeparator('vertical'));
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'attn-thumb';
        button.setAttribute('aria-label', groups.withKv(formatString(strings.thumbLabel, l + 1, h + 1), h, strings.kvHead));
        const caption = document.createElement('span');
        caption.textContent = `${strings.head} ${h + 1}`;
        if (groups.grouped) caption.title = groups.kvCaption(h, strings.kvHead);
        button.append(thumbnail(weights.subarray(h * nn, (h + 1) * nn), source.n, css), caption);
        button.addEventListener('click', () => {
          this.layer = l;
          this.show = `head${h}`;
          this.build();
          this.element.querySelector<HTMLElement>('.heatmap-overlay')?.focus();
        });
        row.append(button);
        drawn++;
      }
      const root = this.element.querySelector<HTMLElement>('.attn-output');
      if (root) root.dataset.drawn = String(drawn);
    };
    const rows = Array.from({ length: source.layers }, (_, l) => {
      const row = document.createElement('div');
      row.className = 'attn-model-row';
      row.style.minHeight = `${css + 24}px`;
      const label = document.createElement('span');
      label.className = 'attn-model-layer';
      const name = source.layerName(l);
      label.textContent = `${strings.layer} ${l + 1}`;
      if (name) label.title = name;
      row.append(label);
      grid.append(row);
      return row;
    });
    content.append(grid);
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        this.observer?.unobserve(e.target);
        const row = e.target as HTMLDivElement;
        fill(row, rows.indexOf(row));
      }
    }, { rootMargin: '200px' });
    rows.forEach((r) => this.observer?.observe(r));
  }

  private layerPrefix(): string {
    return this.source.layers > 1 ? `${strings.layer} ${this.layer + 1} · ` : '';
  }

  /** Lays the heatmaps out for the output's width: the first at once, the others as they come into sight. */
  draw(): void {
    this.lastWidth = this.element.clientWidth;
    if (this.maps.length === 0) return;
    const total = Math.max(200, this.lastWidth - 8);
    const perRow = Math.max(1, Math.min(this.maps.length, Math.floor(total / MIN_MAP_WIDTH)));
    const width = Math.floor((total - GAP * (perRow - 1)) / perRow);
    const theme = readTheme();
    const paint = (map: Heatmap): void => {
      map.element.style.minHeight = '';
      if (map.draw(theme, width)) this.drawnMaps.add(map);
    };
    if (this.drawnMaps.size > 0) {
      this.drawnMaps.forEach(paint); // a new width or theme: repaint what is on show
    } else {
      let cells = 0;
      for (const map of this.maps) {
        if (cells > 0 && cells + map.n * map.n > EAGER_CELLS) break;
        cells += map.n * map.n;
        paint(map);
      }
    }
    this.countDrawn();
    if (this.eager === undefined) {
      this.eager = this.drawnMaps.size;
      this.stamp();
    }
    const waiting = this.maps.filter((m) => !this.drawnMaps.has(m));
    if (waiting.length === 0) return;
    // Until drawn, a heatmap holds its place at about its size, so only those in sight are drawn.
    for (const map of waiting) map.element.style.minHeight = `${width}px`;
    this.observer?.disconnect();
    this.observer = new IntersectionObserver((entries) => {
      for (const e of entries) {
        const map = this.maps.find((m) => m.element === e.target);
        if (!e.isIntersecting || !map || this.drawnMaps.has(map)) continue;
        this.observer?.unobserve(e.target);
        paint(map);
        this.countDrawn();
      }
    }, { rootMargin: '200px' });
    for (const map of waiting) this.observer.observe(map.element);
  }

  /** The output took `ms` of the notebook's page to render. */
  rendered(ms: number): void {
    this.renderMs = ms;
    this.stamp();
  }

  /** How it rendered (time, heatmaps drawn before it showed), on the output's root, kept across rebuilds: for tests and tools. */
  private stamp(): void {
    const root = this.element.querySelector<HTMLElement>('.attn-output');
    if (!root) return;
    if (this.renderMs !== undefined) root.dataset.renderMs = this.renderMs.toFixed(1);
    if (this.eager !== undefined) root.dataset.eager = String(this.eager);
  }

  /** How many heatmaps drew, on the output's root, for tests and tools. */
  private countDrawn(): void {
    const root = this.element.querySelector<HTMLElement>('.attn-output');
    if (root) root.dataset.drawn = String(this.drawnMaps.size);
  }

  dispose(): void {
    this.resize.disconnect();
    this.observer?.disconnect();
    this.element.replaceChildren();
  }
}

/** The focused cell in words; `caption` names the map (a head, or the heads' mean or maximum). */
function describeCell(map: Heatmap, cell: Cell, caption: string): string {
  return (
    `${caption} · ${strings.query} ${cell.q + 1} “${map.token(cell.q)}” → ` +
    `${strings.key} ${cell.k + 1} “${map.token(cell.k)}” · ${strings.weight} ${map.weightAt(cell).toPrecision(6)}`
  );
}

function errorParagraph(message: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'attn-error';
  p.setAttribute('role', 'alert');
  p.textContent = formatString(strings.invalidOutput, message);
  return p;
}

function injectStyle(): void {
  if (document.getElementById('attention-explorer-renderer-style')) return;
  const style = document.createElement('style');
  style.id = 'attention-explorer-renderer-style';
  style.textContent = RENDERER_CSS;
  document.head.append(style);
}

function render(item: OutputItem, element: HTMLElement): void {
  const started = performance.now();
  views.get(item.id)?.dispose();
  views.delete(item.id);
  let source: OutputSource;
  try {
    source = readSource(item.mime, item.json());
  } catch (e) {
    // A damaged, hand-edited or ill-fitting output: say what is wrong in its place, draw nothing.
    if (e instanceof OutputFormatError || e instanceof SyntaxError) {
      element.replaceChildren(errorParagraph(e.message));
      return;
    }
    throw e;
  }
  const view = new OutputView(source, element);
  views.set(item.id, view);
  view.rendered(performance.now() - started);
}

export const activate: ActivationFunction = (context) => {
  injectStyle();
  onThemeChange(() => views.forEach((v) => v.draw()));
  context.onDidReceiveMessage?.((message) => {
    if (!isToRenderer(message)) return;
    strings = message.strings;
    views.forEach((v) => v.build());
  });
  const request: FromRenderer = { type: 'strings?' };
  context.postMessage?.(request);
  return {
    renderOutputItem: render,
    disposeOutputItem(id?: string) {
      for (const [key, view] of views) {
        if (id !== undefined && key !== id) continue;
        view.dispose();
        views.delete(key);
      }
    },
  };
};

/** The tokens of generated text, the generated ones marked, under a sentence saying how many. */
function generatedText(source: OutputSource, generated: number): HTMLElement {
  const p = document.createElement('p');
  p.className = 'attn-generated';
  p.append(formatString(strings.generatedNote, generated, source.n), ' ');
  const first = source.n - generated;
  source.tokens.forEach((t, i) => {
    const span = document.createElement(i >= first ? 'mark' : 'span');
    span.className = 'attn-token';
    span.textContent = t;
    p.append(span);
  });
  return p;
}
