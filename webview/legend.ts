// The colour legend: the scale's gradient with its ends and middle written under it.
import { LUT_SIZE, scaleLut, type ColourScale } from './colormap';

const WIDTH = 192;
const HEIGHT = 10;

/** `relative`: the ticks read 0, ½ and 1 × each heatmap's own largest weight. */
export function buildLegend(scale: ColourScale, label: string, relative = false, maxLabel = 'max'): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'legend';
  figure.setAttribute('role', 'img');
  const lo = scale.kind === 'sequential' ? 0 : -scale.max;
  figure.setAttribute('aria-label', relative ? `${label}: 0 … max` : `${label}: ${lo.toFixed(3)} … ${scale.max.toFixed(3)}`);
  const caption = document.createElement('figcaption');
  caption.textContent = label;
  const canvas = document.createElement('canvas');
  canvas.className = 'legend-bar';
  canvas.dataset.export = 'true';
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(WIDTH * dpr);
  canvas.height = Math.round(HEIGHT * dpr);
  canvas.style.width = `${WIDTH}px`;
  canvas.style.height = `${HEIGHT}px`;
  const ctx = canvas.getContext('2d');
  if (ctx) {
    const lut = scaleLut(scale);
    const w = canvas.width / LUT_SIZE;
    for (let i = 0; i < LUT_SIZE; i++) {
      ctx.fillStyle = `rgb(${lut[i * 3]}, ${lut[i * 3 + 1]}, ${lut[i * 3 + 2]})`;
      ctx.fillRect(i * w, 0, w + 1, canvas.height);
    }
  }
  const ticks = document.createElement('div');
  ticks.className = 'legend-ticks';
  const texts = relative ? ['0', `½ ${maxLabel}`, maxLabel] : [lo, (lo + scale.max) / 2, scale.max].map((v) => v.toFixed(3));
  for (const text of texts) {
    const t = document.createElement('span');
    t.textContent = text;
    ticks.append(t);
  }
  figure.append(caption, canvas, ticks);
  return figure;
}
