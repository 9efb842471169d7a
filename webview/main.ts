// Explorer webview: receives sequences from the host and draws one heatmap per head.
import type { SequencePayload, ShowMessage, ToWebview, WebviewStrings } from '../src/shared/protocol';
import { Heatmap, type Cell } from './heatmap';
import { readTheme, onThemeChange } from './theme';
import { vscode } from './vscodeApi';

const app = document.getElementById('app') as HTMLElement;
const tooltip = document.getElementById('tooltip') as HTMLElement;

let strings: WebviewStrings | undefined;
/** The heatmaps on screen, grouped by sequence. */
let sections: { maps: Heatmap[]; heads: number }[] = [];

function format(template: string, ...args: (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => String(args[Number(i)] ?? m));
}

function showTooltip(heatmap: Heatmap, cell: Cell | undefined, anchor: { x: number; y: number }): void {
  if (!cell || !strings) {
    tooltip.hidden = true;
    return;
  }
  const w = heatmap.weightAt(cell);
  tooltip.textContent =
    `${strings.head} ${heatmap.head + 1} · ${strings.query} ${cell.q + 1} “${heatmap.token(cell.q)}” → ` +
    `${strings.key} ${cell.k + 1} “${heatmap.token(cell.k)}” · ${strings.weight} ${w.toPrecision(6)}`;
  tooltip.hidden = false;
  const margin = 12;
  const x = Math.min(anchor.x + margin, window.innerWidth - tooltip.offsetWidth - margin);
  const y = Math.min(anchor.y + margin, window.innerHeight - tooltip.offsetHeight - margin);
  tooltip.style.left = `${Math.max(0, x)}px`;
  tooltip.style.top = `${Math.max(0, y)}px`;
}

function sequenceSection(seq: SequencePayload, index: number): { section: HTMLElement; maps: Heatmap[] } {
  const s = strings as WebviewStrings;
  const section = document.createElement('section');
  section.className = 'sequence';
  section.dataset.index = String(index);
  const h2 = document.createElement('h2');
  h2.textContent = `${seq.label} · ${seq.n} ${s.tokens}`;
  const grid = document.createElement('div');
  grid.className = 'heads';
  const maps: Heatmap[] = [];
  const stride = seq.n * seq.n;
  for (let h = 0; h < seq.heads; h++) {
    const map = new Heatmap(
      { head: h, tokens: seq.tokens, n: seq.n, weights: seq.weights.subarray(h * stride, (h + 1) * stride) },
      `${s.head} ${h + 1}`,
      format(s.heatmapLabel, h + 1),
      showTooltip,
    );
    maps.push(map);
    grid.append(map.element);
  }
  section.append(h2, grid);
  return { section, maps };
}

/** Width each heatmap may take: heads sit side by side when there is room, down to ~260px each. */
function cellWidth(heads: number): number {
  const total = Math.max(200, app.clientWidth - 16);
  const perRow = Math.max(1, Math.min(heads, Math.floor(total / 260)));
  return Math.floor(total / perRow) - 16;
}

/** Draws every heatmap of one sequence; returns how many drew cells. */
function drawSequence(maps: Heatmap[], heads: number): number {
  const theme = readTheme();
  const width = cellWidth(heads);
  return maps.filter((map) => map.draw(theme, width)).length;
}

function drawAll(): void {
  sections.forEach(({ maps, heads }) => drawSequence(maps, heads));
}

function show(message: ShowMessage): void {
  app.replaceChildren();
  const st = message.settings;
  const header = document.createElement('p');
  header.className = 'run-info';
  header.textContent = `engine ${st.engine} · d_model ${st.dModel} · heads ${st.heads} · mask ${st.mask} · seed ${st.seed} · ${message.elapsedMs.toFixed(1)} ms`;
  app.append(header);
  sections = message.sequences.map((seq, i) => {
    const { section, maps } = sequenceSection(seq, i);
    app.append(section);
    return { maps, heads: seq.heads };
  });
  // Drawn after every section is in the document, so widths are known.
  const report = message.sequences.map((seq, i) => ({
    tokens: seq.n,
    heads: seq.heads,
    drawnCanvases: drawSequence(sections[i].maps, seq.heads),
  }));
  vscode.setState({ shown: true });
  vscode.postMessage({ type: 'rendered', requestId: message.requestId, sequences: report });
}

function receive(message: ToWebview): void {
  switch (message.type) {
    case 'init':
      strings = message.strings;
      if (sections.length === 0) app.textContent = strings.noData;
      break;
    case 'show':
      try {
        show(message);
      } catch (e) {
        vscode.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      }
      break;
  }
}

window.addEventListener('message', (e: MessageEvent<ToWebview>) => receive(e.data));
onThemeChange(() => drawAll());
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(drawAll, 100);
});
vscode.postMessage({ type: 'ready' });
