// Weights are data, not theme: one perceptual colour map (viridis) in every theme, read from
// d3-scale-chromatic once into a 256-entry lookup table so drawing a cell is an array read.
import { interpolateViridis } from 'd3-scale-chromatic';

export const LUT_SIZE = 256;

/** RGB triples, [256][3]. */
export const viridisLut: Uint8ClampedArray = (() => {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const hex = interpolateViridis(i / (LUT_SIZE - 1)); // "#rrggbb"
    lut[i * 3] = parseInt(hex.slice(1, 3), 16);
    lut[i * 3 + 1] = parseInt(hex.slice(3, 5), 16);
    lut[i * 3 + 2] = parseInt(hex.slice(5, 7), 16);
  }
  return lut;
})();

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
