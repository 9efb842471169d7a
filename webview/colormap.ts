// Weights are data, not theme: one perceptual colour map (viridis) in every theme, read from
// d3-scale-chromatic once into a 256-entry lookup table so drawing a cell is an array read.
// Differences use a diverging map (red–blue) centred on zero; heads get categorical colours.
import { interpolateRdBu, interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';

export const LUT_SIZE = 256;

function lutFrom(interpolate: (t: number) => string): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const [r, g, b] = parseColour(interpolate(i / (LUT_SIZE - 1)));
    lut[i * 3] = r;
    lut[i * 3 + 1] = g;
    lut[i * 3 + 2] = b;
  }
  return lut;
}

/** "#rrggbb" or "rgb(r, g, b)" → [r, g, b]. */
export function parseColour(css: string): [number, number, number] {
  if (css.startsWith('#')) {
    return [parseInt(css.slice(1, 3), 16), parseInt(css.slice(3, 5), 16), parseInt(css.slice(5, 7), 16)];
  }
  const parts = css.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0'];
  return [Number(parts[0]), Number(parts[1]), Number(parts[2])];
}

/** RGB triples, [256][3]. */
export const viridisLut: Uint8ClampedArray = lutFrom(interpolateViridis);

/** RGB triples, [256][3]: blue for negative, white at zero, red for positive. */
export const divergingLut: Uint8ClampedArray = lutFrom((t) => interpolateRdBu(1 - t));

/** Index into the table for a weight in [0, max]. */
export function lutIndex(value: number, max: number): number {
  if (!(max > 0) || !Number.isFinite(value)) return 0;
  const t = Math.min(1, Math.max(0, value / max));
  return Math.round(t * (LUT_SIZE - 1));
}

export function cssColour(value: number, max: number): string {
  const i = lutIndex(value, max) * 3;
  return `rgb(${viridisLut[i]}, ${viridisLut[i + 1]}, ${viridisLut[i + 2]})`;
}

/** How values map to colours: viridis over [0, max], or diverging over [−max, max]. */
export interface ColourScale {
  kind: 'sequential' | 'diverging';
  max: number;
}

/** Index into the scale's table; NaN and ±∞ take the lowest colour (masked cells read as "nothing"). */
export function scaleIndex(value: number, scale: ColourScale): number {
  if (scale.kind === 'sequential') return lutIndex(value, scale.max);
  if (!(scale.max > 0) || !Number.isFinite(value)) return (LUT_SIZE - 1) >> 1;
  const t = Math.min(1, Math.max(0, (value / scale.max + 1) / 2));
  return Math.round(t * (LUT_SIZE - 1));
}

export function scaleLut(scale: ColourScale): Uint8ClampedArray {
  return scale.kind === 'sequential' ? viridisLut : divergingLut;
}

export function scaleCss(value: number, scale: ColourScale): string {
  const lut = scaleLut(scale);
  const i = scaleIndex(value, scale) * 3;
  return `rgb(${lut[i]}, ${lut[i + 1]}, ${lut[i + 2]})`;
}

/** Writes a [rows][cols] matrix as RGBA pixels, one per value (opaque). */
export function matrixPixels(m: Float32Array, scale: ColourScale, out: Uint8ClampedArray): void {
  const lut = scaleLut(scale);
  const sequential = scale.kind === 'sequential';
  // The sequential case is inlined: it runs over N² values on every first draw.
  const f = sequential && scale.max > 0 ? (LUT_SIZE - 1) / scale.max : 0;
  for (let i = 0; i < m.length; i++) {
    let c: number;
    if (sequential) {
      const v = m[i] * f;
      c = v > 0 ? (v < LUT_SIZE - 1 ? (v + 0.5) | 0 : LUT_SIZE - 1) * 3 : 0;
    } else {
      c = scaleIndex(m[i], scale) * 3;
    }
    const p = i * 4;
    out[p] = lut[c];
    out[p + 1] = lut[c + 1];
    out[p + 2] = lut[c + 2];
    out[p + 3] = 255;
  }
}

/** A colour per head that stays the same in every view; ten, then repeating. */
export function headColour(head: number): string {
  return schemeTableau10[head % schemeTableau10.length];
}
