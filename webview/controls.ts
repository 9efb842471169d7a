// The toolbar above every view: real <button>, <select> and <input> elements with labels, so
// each choice is reachable by keyboard and named for screen readers.
import type { SequencePayload, WebviewStrings } from '../src/shared/protocol';
import { ALL_HEADS, VIEWS, type ViewKind, type ViewState } from './viewState';

export type StateChange = (patch: Partial<ViewState>) => void;

function labelled(id: string, text: string, control: HTMLElement): HTMLElement {
  const wrap = document.createElement('span');
  wrap.className = 'control';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = text;
  control.id = id;
  wrap.append(label, control);
  return wrap;
}

export function select(id: string, text: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const el = document.createElement('select');
  for (const [v, label] of options) el.add(new Option(label, v, false, v === value));
  el.addEventListener('change', () => onChange(el.value));
  return labelled(id, text, el);
}

function checkbox(id: string, text: string, checked: boolean, onChange: (v: boolean) => void, disabledWhy?: string): HTMLElement {
  const el = document.createElement('input');
  el.type = 'checkbox';
  el.checked = checked;
  if (disabledWhy) {
    el.disabled = true;
    el.title = disabledWhy;
  }
  el.addEventListener('change', () => onChange(el.checked));
  const wrap = labelled(id, text, el);
  wrap.classList.add('control-check');
  // Box first, text after, as checkboxes usually read.
  wrap.append(wrap.firstChild as Node);
  return wrap;
}

function numberInput(id: string, text: string, value: number, min: number, max: number, step: number, onChange: (v: number) => void): HTMLElement {
  const el = document.createElement('input');
  el.type = 'number';
  el.min = String(min);
  el.max = String(max);
  el.step = String(step);
  el.value = String(value);
  el.addEventListener('change', () => {
    const v = Number(el.value);
    if (Number.isFinite(v)) onChange(Math.min(max, Math.max(min, v)));
  });
  return labelled(id, text, el);
}

/** A toggle button: aria-pressed says whether it is on. */
export function toggleButton(text: string, pressed: boolean, onToggle: (pressed: boolean) => void): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.setAttribute('aria-pressed', String(pressed));
  b.addEventListener('click', () => {
    const next = b.getAttribute('aria-pressed') !== 'true';
    b.setAttribute('aria-pressed', String(next));
    onToggle(next);
  });
  return b;
}

function viewButtons(state: ViewState, s: WebviewStrings, change: StateChange, generated: boolean): HTMLElement {
  const names: Record<ViewKind, string> = {
    heatmaps: s.viewHeatmaps, model: s.viewModel, lines: s.viewLines, steps: s.viewSteps, compare: s.viewCompare, generate: s.viewGenerate,
  };
  const group = document.createElement('div');
  group.className = 'view-switch';
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', s.view);
  for (const v of VIEWS) {
    // The generation view is offered for generated text only.
    if (v === 'generate' && !generated) continue;
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.view = v;
    b.textContent = names[v];
    b.setAttribute('aria-pressed', String(state.view === v));
    b.addEventListener('click', () => change({ view: v }));
    group.append(b);
  }
  return group;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Builds the toolbar for the current state; `change` is called with what a control changed. */
export function buildControls(state: ViewState, sequences: SequencePayload[], s: WebviewStrings, change: StateChange): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'controls';
  const seq = sequences[state.sequence];
  bar.append(viewButtons(state, s, change, sequences.some((q) => q.generated !== undefined)));
  // The generation view has its own controls (the token slider), in the view.
  if (state.view === 'generate') return bar;
  const row = document.createElement('div');
  row.className = 'control-row';
  row.setAttribute('role', 'group');
  row.setAttribute('aria-label', s.view);
  if (sequences.length > 1 && state.view !== 'compare') {
    row.append(select('sequence', s.sequence, sequences.map((q, i) => [String(i), q.label]), String(state.sequence), (v) =>
      change({ sequence: Number(v), layer: 0, head: ALL_HEADS, hiddenHeads: [] })));
  }
  if (seq && state.view !== 'compare') {
    if (seq.layers > 1 || state.view !== 'model') {
      const name = (l: number) => (typeof seq.layerNames?.[l] === 'string' && seq.layerNames[l] ? ` · ${seq.layerNames[l]}` : '');
      row.append(select('layer', s.layer, range(seq.layers).map((l) => [String(l), `${s.layer} ${l + 1}${name(l)}`]), String(state.layer), (v) =>
        change({ layer: Number(v) })));
    }
    if (state.view === 'heatmaps' || state.view === 'steps') {
      const heads: [string, string][] = range(seq.heads).map((h) => [String(h), `${s.head} ${h + 1}`]);
      if (state.view !== 'steps') heads.unshift([String(ALL_HEADS), s.allHeads]);
      const value = state.view === 'steps' && state.head === ALL_HEADS ? '0' : String(state.head);
      row.append(select('head', s.head, heads, value, (v) => change({ head: Number(v) })));
    }
    if (state.view === 'heatmaps') {
      row.append(select('aggregate', s.aggregate, [['none', s.aggregateNone], ['mean', s.aggregateMean], ['max', s.aggregateMax]],
        state.aggregate, (v) => change({ aggregate: v as ViewState['aggregate'] })));
      row.append(checkbox('rollout', s.rollout, state.rollout, (v) => change({ rollout: v }), seq.layers > 1 ? undefined : s.rolloutNeedsLayers));
    }
    if (state.view === 'model') {
      row.append(select('sort', s.sortBy, [['layer', s.sortLayerOrder], ['entropy', s.entropy], ['sparsity', s.sparsity], ['max', s.maxWeight]],
        state.sortBy, (v) => change({ sortBy: v as ViewState['sortBy'] })));
    }
  }
  if (seq && state.view !== 'steps') {
    row.append(numberInput('threshold', s.threshold, state.threshold, 0, 1, 0.01, (v) => change({ threshold: v })));
    row.append(numberInput('topk', s.topK, state.topK, 0, Math.max(1, seq.n), 1, (v) => change({ topK: Math.round(v) })));
    row.append(checkbox('hide-special', s.hideSpecial, state.hideSpecial, (v) => change({ hideSpecial: v })));
  }
  bar.append(row);
  // Rollout runs through every head of every layer: choosing one of them has no effect then.
  if (state.rollout && state.view === 'heatmaps') {
    for (const id of ['layer', 'head', 'aggregate']) row.querySelector<HTMLSelectElement>(`#${id}`)?.toggleAttribute('disabled', true);
  }
  return bar;
}
