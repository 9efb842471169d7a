// The current view as a picture: PNG at the device pixel ratio, or SVG. Both are laid out from
// what is on screen: every canvas marked data-export is copied where it sits, and the captions,
// headings and table cells around them are written as text, so the file looks like the panel.
import type { ThemeColours } from './theme';

// The lines between groups of heads that share a key/value head have no text: their background is drawn.
const TEXT_SELECTOR = 'h2, h3, figcaption, caption, legend, th, td, .thumb-caption, .legend-ticks span, .hint, .attn-kv-sep';

interface Item {
  kind: 'image' | 'text';
  x: number;
  y: number;
  w: number;
  h: number;
  canvas?: HTMLCanvasElement;
  text?: string;
  font?: string;
  colour?: string;
  background?: string;
}

function transparent(colour: string): boolean {
  return colour === 'transparent' || /rgba\(.*,\s*0\)$/.test(colour);
}

/** What to draw, in CSS pixels relative to the region's top left. */
function collect(region: HTMLElement): { items: Item[]; width: number; height: number } {
  const origin = region.getBoundingClientRect();
  const items: Item[] = [];
  const place = (el: Element) => {
    const r = el.getBoundingClientRect();
    return { x: r.left - origin.left, y: r.top - origin.top, w: r.width, h: r.height };
  };
  for (const el of region.querySelectorAll<HTMLElement>(`canvas[data-export], ${TEXT_SELECTOR}`)) {
    const box = place(el);
    if (box.w === 0 || box.h === 0) continue;
    if (el instanceof HTMLCanvasElement) {
      items.push({ kind: 'image', ...box, canvas: el });
      continue;
    }
    const style = getComputedStyle(el);
    items.push({
      kind: 'text',
      ...box,
      // Only the element's own text: nested elements are items of their own.
      text: [...el.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join('').trim(),
      font: `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`,
      colour: style.color,
      background: transparent(style.backgroundColor) ? undefined : style.backgroundColor,
    });
  }
  return { items, width: Math.ceil(region.scrollWidth), height: Math.ceil(region.scrollHeight) };
}

/** PNG data: URL of the region, at the device pixel ratio. */
export function exportPng(region: HTMLElement, theme: ThemeColours): string {
  const { items, width, height } = collect(region);
  const dpr = window.devicePixelRatio || 1;
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * dpr));
  canvas.height = Math.max(1, Math.round(height * dpr));
  const g = canvas.getContext('2d');
  if (!g) throw new Error('no 2D canvas');
  g.fillStyle = theme.background;
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.textBaseline = 'middle';
  for (const it of items) {
    if (it.kind === 'image' && it.canvas) {
      g.imageSmoothingEnabled = false;
      g.drawImage(it.canvas, it.x, it.y, it.w, it.h);
      continue;
    }
    if (it.background) {
      g.fillStyle = it.background;
      g.fillRect(it.x, it.y, it.w, it.h);
    }
    g.fillStyle = it.colour ?? theme.foreground;
    g.font = it.font ?? `${theme.fontSize}px ${theme.fontFamily}`;
    g.fillText(it.text ?? '', it.x + 2, it.y + it.h / 2, it.w);
  }
  return canvas.toDataURL('image/png');
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** SVG text of the region: canvases as embedded PNG images, text as text (selectable, searchable). */
export function exportSvg(region: HTMLElement, theme: ThemeColours): string {
  const { items, width, height } = collect(region);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="100%" height="100%" fill="${escapeXml(theme.background)}"/>`,
  ];
  for (const it of items) {
    const at = `x="${it.x.toFixed(1)}" y="${it.y.toFixed(1)}" width="${it.w.toFixed(1)}" height="${it.h.toFixed(1)}"`;
    if (it.kind === 'image' && it.canvas) {
      parts.push(`<image ${at} preserveAspectRatio="none" style="image-rendering:pixelated" href="${it.canvas.toDataURL('image/png')}"/>`);
      continue;
    }
    if (it.background) parts.push(`<rect ${at} fill="${escapeXml(it.background)}"/>`);
    if (!it.text) continue;
    parts.push(
      `<text x="${(it.x + 2).toFixed(1)}" y="${(it.y + it.h / 2).toFixed(1)}" dominant-baseline="middle" ` +
        `fill="${escapeXml(it.colour ?? theme.foreground)}" style="font:${escapeXml(it.font ?? '')}">${escapeXml(it.text)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
