// A tile as an image, one pixel per block coloured by the block's largest weight, so a sharp
// weight is never averaged away when thousands of tokens share a pixel. Built once per tile and
// then only scaled and moved by drawImage while the view pans and zooms.
import type { Tile } from '../src/core/tiles';
import { matrixPixels, type ColourScale } from './colormap';

export function tileImage(tile: Tile, scale: ColourScale): HTMLCanvasElement {
  const img = document.createElement('canvas');
  img.width = Math.max(1, tile.cols);
  img.height = Math.max(1, tile.rows);
  const ctx = img.getContext('2d');
  if (ctx && tile.rows > 0 && tile.cols > 0) {
    const pixels = ctx.createImageData(tile.cols, tile.rows);
    matrixPixels(tile.max, scale, pixels.data); // [rows][cols][4]
    ctx.putImageData(pixels, 0, 0);
  }
  return img;
}

/** The largest weight of a tile (of its block maxima), 0 when it has none. */
export function tileMax(tile: Tile): number {
  let m = 0;
  for (const v of tile.max) if (v > m) m = v;
  return m;
}

/** The weight of token cell (q, k) when the tile holds it exactly. */
export function exactWeight(tile: Tile | undefined, q: number, k: number): number | undefined {
  if (!tile?.exact) return undefined;
  const w = tile.window;
  if (q < w.q0 || q >= w.q1 || k < w.k0 || k >= w.k1) return undefined;
  return tile.max[(q - w.q0) * tile.cols + (k - w.k0)];
}
