// Pixel statistics of a screenshot, so that tests can tell a drawn heatmap from an empty canvas
// that merely has the right elements.
import { PNG } from 'pngjs';
import type { PixelStats } from './protocol';

/** Per-channel difference below which a pixel still counts as background (antialiasing, dithering). */
const TOLERANCE = 8;

export function pixelStats(png: Buffer): PixelStats {
  const image = PNG.sync.read(png);
  const { width, height, data } = image;
  const counts = new Map<number, number>();
  // data: [height, width, 4] RGBA bytes
  for (let i = 0; i < data.length; i += 4) {
    const rgb = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    counts.set(rgb, (counts.get(rgb) ?? 0) + 1);
  }
  let dominant = 0;
  let dominantCount = -1;
  for (const [rgb, count] of counts) {
    if (count > dominantCount) {
      dominant = rgb;
      dominantCount = count;
    }
  }
  const [r, g, b] = [(dominant >> 16) & 255, (dominant >> 8) & 255, dominant & 255];
  let differing = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - r) > TOLERANCE || Math.abs(data[i + 1] - g) > TOLERANCE || Math.abs(data[i + 2] - b) > TOLERANCE) {
      differing++;
    }
  }
  const pixels = width * height;
  return {
    width,
    height,
    distinctColours: counts.size,
    dominantColour: `#${dominant.toString(16).padStart(6, '0')}`,
    nonBackgroundFraction: pixels === 0 ? 0 : differing / pixels,
  };
}
