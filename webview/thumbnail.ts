// Small pictures of whole heads: the panel's model view and the notebook outputs' model view
// draw every head of every layer this way.
import { matrixPixels } from './colormap';
import { sizeCanvases } from './heatmap';
import { maxOf, poolMax } from './viewData';

export function thumbCanvas(css: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.className = 'thumb-canvas';
  canvas.dataset.export = 'true';
  sizeCanvases([canvas], css, css);
  return canvas;
}

/** A thumbnail of weights held here: max-pooled to its pixels. */
export function thumbnail(m: Float32Array, n: number, css: number): HTMLCanvasElement {
  const canvas = thumbCanvas(css);
  // Max-pooled to the thumbnail's pixels, so a sharp diagonal or one bright column survives.
  paintThumbnail(canvas, n === 0 ? undefined : poolMax(m, n, canvas.width));
  return canvas;
}

/** Paints pooled weights ([size][size]) over the whole canvas, each scaled to its own maximum. */
export function paintThumbnail(canvas: HTMLCanvasElement, pooled: { m: Float32Array; size: number } | undefined): void {
  const ctx = canvas.getContext('2d');
  const size = canvas.width;
  if (!ctx || !pooled) return;
  const img = document.createElement('canvas');
  img.width = pooled.size;
  img.height = pooled.size;
  const ictx = img.getContext('2d');
  if (!ictx) return;
  const pixels = ictx.createImageData(pooled.size, pooled.size);
  matrixPixels(pooled.m, { kind: 'sequential', max: maxOf(pooled.m) }, pixels.data);
  ictx.putImageData(pixels, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(img, 0, 0, size, size);
}
