// The whole matrix small, with a rectangle where the zoomed view is. Pressing or dragging on it
// moves the view there; its keys are the main canvas's pan and zoom keys.
import type { ThemeColours } from './theme';
import { fromOverview, overviewRect, type Viewport } from './viewport';

export class Minimap {
  readonly element: HTMLCanvasElement;
  private size = 128;
  private n = 1;

  constructor(
    label: string,
    /** Centre the view on fractional token (q, k). */
    private readonly onMove: (q: number, k: number) => void,
    onKey: (e: KeyboardEvent) => void,
  ) {
    const c = document.createElement('canvas');
    c.className = 'zoom-minimap';
    c.tabIndex = 0;
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', label);
    c.title = label;
    this.element = c;
    c.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      c.setPointerCapture(e.pointerId);
      this.moveTo(e);
    });
    c.addEventListener('pointermove', (e) => {
      if (c.hasPointerCapture(e.pointerId)) this.moveTo(e);
    });
    c.addEventListener('keydown', onKey);
  }

  private moveTo(e: PointerEvent): void {
    const { q, k } = fromOverview(e.offsetX, e.offsetY, this.size, this.n);
    this.onMove(q, k);
  }

  /** Sizes the canvas to `size` CSS px at device resolution. */
  layout(size: number, n: number): void {
    this.size = size;
    this.n = n;
    const dpr = window.devicePixelRatio || 1;
    this.element.width = Math.round(size * dpr);
    this.element.height = Math.round(size * dpr);
    this.element.style.width = `${size}px`;
    this.element.style.height = `${size}px`;
  }

  /** The overview image (or nothing yet) and the view's rectangle on it. */
  draw(image: HTMLCanvasElement | undefined, view: Viewport, theme: ThemeColours): void {
    const ctx = this.element.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const s = this.size;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, s, s);
    ctx.imageSmoothingEnabled = false;
    if (image) ctx.drawImage(image, 0, 0, s, s);
    const r = overviewRect(view, s);
    // At least a few pixels, so a deep zoom still shows where it is.
    const w = Math.max(4, r.w);
    const x = Math.min(s - w, Math.max(0, r.x + r.w / 2 - w / 2));
    const y = Math.min(s - w, Math.max(0, r.y + r.h / 2 - w / 2));
    // A background-coloured halo under the focus colour keeps the frame visible on every part of the colour map.
    ctx.lineWidth = 3;
    ctx.strokeStyle = theme.background;
    ctx.strokeRect(x + 1, y + 1, w - 2, w - 2);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = theme.focus;
    ctx.strokeRect(x + 1, y + 1, w - 2, w - 2);
  }
}
