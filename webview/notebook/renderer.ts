// Notebook renderer for attention outputs: the panel's heatmap component, one per head (or one
// for the mean of the heads), drawn into a notebook cell's output. Loaded by VS Code as an ES
// module (contributes.notebookRenderer); never imports vscode. An output of several layers (an
// ONNX model) gets a layer choice above the heatmaps, which show the chosen layer.
import {
  decodeAttention,
  ENGLISH_RENDERER_STRINGS,
  formatString,
  isToRenderer,
  layerOf,
  meanOverHeads,
  OutputFormatError,
  type AttentionData,
  type FromRenderer,
  type RendererStrings,
} from '../../src/shared/notebookOutput';
import { Heatmap, type Cell } from '../heatmap';
import { onThemeChange, readTheme } from '../theme';
import type { ActivationFunction, OutputItem } from './rendererApi';
import { RENDERER_CSS } from './style';

/** Narrowest a heatmap gets before the heads wrap onto another row. */
const MIN_MAP_WIDTH = 240;
const GAP = 16;

let strings: RendererStrings = ENGLISH_RENDERER_STRINGS;
const views = new Map<string, OutputView>();

class OutputView {
  private maps: Heatmap[] = [];
  private readonly resize: ResizeObserver;
  private lastWidth = -1;
  /** The layer shown, kept across rebuilds (the localized strings arriving). */
  private layer = 0;

  constructor(
    private readonly data: AttentionData,
    private readonly element: HTMLElement,
  ) {
    this.build();
    this.resize = new ResizeObserver(() => {
      if (this.element.clientWidth !== this.lastWidth) this.draw();
    });
    this.resize.observe(this.element);
  }

  /** Builds (or rebuilds, when the localized strings arrive) the DOM of the output. */
  build(): void {
    const { data } = this;
    const root = document.createElement('div');
    root.className = 'attn-output';
    root.dataset.tokens = String(data.n);
    root.dataset.heads = String(data.heads);
    root.dataset.layers = String(data.layers);
    root.dataset.layer = String(this.layer);
    if (data.layers > 1) root.append(this.layerChoice());
    if (data.topK !== undefined) {
      const note = document.createElement('p');
      note.className = 'attn-note';
      note.textContent = formatString(strings.topKNote, data.topK);
      root.append(note);
    }
    const grid = document.createElement('div');
    grid.className = 'attn-heads';
    const status = document.createElement('div');
    status.className = 'attn-status';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    this.maps = this.heatmaps((map, cell) => {
      status.textContent = cell ? this.layerPrefix() + describeCell(map, cell, this.isMean ? formatString(strings.meanOfHeads, data.heads) : undefined) : '';
    });
    grid.append(...this.maps.map((m) => m.element));
    root.append(grid, status);
    this.element.replaceChildren(root);
    this.draw();
  }

  /** A labelled <select> of the layers; choosing one redraws the heatmaps of that layer. */
  private layerChoice(): HTMLElement {
    const label = document.createElement('label');
    label.className = 'attn-layer';
    const select = document.createElement('select');
    select.className = 'attn-layer-select';
    for (let l = 0; l < this.data.layers; l++) {
      const option = document.createElement('option');
      option.value = String(l);
      option.textContent = `${l + 1} / ${this.data.layers}`;
      select.append(option);
    }
    select.value = String(this.layer);
    select.addEventListener('change', () => {
      this.layer = Number(select.value);
      this.build();
      this.element.querySelector<HTMLSelectElement>('.attn-layer-select')?.focus();
    });
    label.append(`${strings.layer} `, select);
    return label;
  }

  private layerPrefix(): string {
    return this.data.layers > 1 ? `${strings.layer} ${this.layer + 1} · ` : '';
  }

  private get isMean(): boolean {
    return this.data.settings.view === 'mean';
  }

  private heatmaps(onFocus: (map: Heatmap, cell: Cell | undefined) => void): Heatmap[] {
    const data = layerOf(this.data, this.layer);
    if (this.isMean) {
      const mean = meanOverHeads(data); // [N][N]
      const caption = formatString(strings.meanOfHeads, data.heads);
      return [new Heatmap({ head: 0, tokens: data.tokens, n: data.n, weights: mean }, caption, formatString(strings.meanHeatmapLabel, data.heads), onFocus, { maxLabel: strings.max })];
    }
    const stride = data.n * data.n;
    return Array.from({ length: data.heads }, (_, h) => {
      const weights = data.weights.subarray(h * stride, (h + 1) * stride); // [N][N] of head h
      return new Heatmap({ head: h, tokens: data.tokens, n: data.n, weights }, `${strings.head} ${h + 1}`, formatString(strings.heatmapLabel, h + 1), onFocus, { maxLabel: strings.max });
    });
  }

  /** Lays the heatmaps out for the output's width; records how many drew, for tests and tools. */
  draw(): void {
    this.lastWidth = this.element.clientWidth;
    const total = Math.max(200, this.lastWidth - 8);
    const perRow = Math.max(1, Math.min(this.maps.length, Math.floor(total / MIN_MAP_WIDTH)));
    const width = Math.floor((total - GAP * (perRow - 1)) / perRow);
    const theme = readTheme();
    const drawn = this.maps.filter((m) => m.draw(theme, width)).length;
    const root = this.element.querySelector<HTMLElement>('.attn-output');
    if (root) root.dataset.drawn = String(drawn);
  }

  dispose(): void {
    this.resize.disconnect();
    this.element.replaceChildren();
  }
}

/** The focused cell in words; `meanCaption` stands in for the head when the map is the mean. */
function describeCell(map: Heatmap, cell: Cell, meanCaption: string | undefined): string {
  const head = meanCaption ?? `${strings.head} ${map.head + 1}`;
  return (
    `${head} · ${strings.query} ${cell.q + 1} “${map.token(cell.q)}” → ` +
    `${strings.key} ${cell.k + 1} “${map.token(cell.k)}” · ${strings.weight} ${map.weightAt(cell).toPrecision(6)}`
  );
}

function showError(element: HTMLElement, message: string): void {
  const p = document.createElement('p');
  p.className = 'attn-error';
  p.textContent = formatString(strings.invalidOutput, message);
  element.replaceChildren(p);
}

function injectStyle(): void {
  if (document.getElementById('attention-explorer-renderer-style')) return;
  const style = document.createElement('style');
  style.id = 'attention-explorer-renderer-style';
  style.textContent = RENDERER_CSS;
  document.head.append(style);
}

function render(item: OutputItem, element: HTMLElement): void {
  views.get(item.id)?.dispose();
  views.delete(item.id);
  let data: AttentionData;
  try {
    data = decodeAttention(item.json());
  } catch (e) {
    // A hand-edited or damaged output: say what is wrong in its place, draw nothing.
    if (e instanceof OutputFormatError || e instanceof SyntaxError) {
      showError(element, e.message);
      return;
    }
    throw e;
  }
  views.set(item.id, new OutputView(data, element));
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
