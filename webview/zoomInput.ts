// Input of the zoomable heatmap, told apart before it acts: a press that moves is a drag (pan),
// one that does not is a click (lock); the wheel zooms; keys become a small set of actions.

/** What the pointer did, in canvas CSS px (offset) and page px (client, for the tooltip). */
export interface PointerHandlers {
  hover(x: number, y: number, client: { x: number; y: number }): void;
  leave(): void;
  click(x: number, y: number, client: { x: number; y: number }): void;
  dragStart(): void;
  /** The content follows the pointer by (dx, dy). */
  drag(dx: number, dy: number): void;
  /** Zoom by factor (> 1 in) around canvas point (x, y). */
  wheel(factor: number, x: number, y: number, client: { x: number; y: number }): void;
}

/** A press that moves less than this is a click, not a drag. */
const DRAG_SLOP = 3;
/** Wheel zoom per pixel of scroll: about ×1.35 per notch of 100 px. */
const WHEEL_RATE = 0.003;
const LINE_PX = 16;

export function bindPointer(c: HTMLElement, h: PointerHandlers, pagePx: () => number): void {
  let drag: { x: number; y: number; moved: boolean } | undefined;
  // A drag ends in a click event too; that one must not lock a cell.
  let dragged = false;
  c.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    c.setPointerCapture(e.pointerId);
    drag = { x: e.clientX, y: e.clientY, moved: false };
    dragged = false;
  });
  c.addEventListener('pointermove', (e) => {
    if (!drag) return h.hover(e.offsetX, e.offsetY, { x: e.clientX, y: e.clientY });
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < DRAG_SLOP) return;
    if (!drag.moved) {
      drag.moved = true;
      c.classList.add('dragging');
      h.dragStart();
    }
    drag.x = e.clientX;
    drag.y = e.clientY;
    h.drag(dx, dy);
  });
  const end = (e: PointerEvent) => {
    if (c.hasPointerCapture(e.pointerId)) c.releasePointerCapture(e.pointerId);
    dragged = !!drag?.moved;
    drag = undefined;
    c.classList.remove('dragging');
  };
  c.addEventListener('pointerup', end);
  c.addEventListener('pointercancel', end);
  c.addEventListener('pointerleave', () => {
    if (!drag) h.leave();
  });
  c.addEventListener('click', (e) => {
    if (dragged) dragged = false;
    else h.click(e.offsetX, e.offsetY, { x: e.clientX, y: e.clientY });
  });
  c.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? LINE_PX : e.deltaMode === 2 ? pagePx() : 1;
      h.wheel(Math.exp(-e.deltaY * unit * WHEEL_RATE), e.offsetX, e.offsetY, { x: e.clientX, y: e.clientY });
    },
    { passive: false },
  );
}

export type KeyAction =
  | { kind: 'zoom'; factor: number }
  | { kind: 'fit' }
  /** An arrow: one step down (dq) or right (dk); `far` with Shift. */
  | { kind: 'arrow'; dq: number; dk: number; far: boolean }
  | { kind: 'lock' }
  | { kind: 'release' };

export const ZOOM_STEP = 2;

const ARROWS: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** +/− (and = _ on the same keys) zoom, Home fits, arrows move, Enter/Space lock, Escape releases. */
export function keyAction(e: Pick<KeyboardEvent, 'key' | 'shiftKey'>): KeyAction | undefined {
  const arrow = ARROWS[e.key];
  if (arrow) return { kind: 'arrow', dq: arrow[0], dk: arrow[1], far: e.shiftKey };
  switch (e.key) {
    case '+':
    case '=':
      return { kind: 'zoom', factor: ZOOM_STEP };
    case '-':
    case '_':
      return { kind: 'zoom', factor: 1 / ZOOM_STEP };
    case 'Home':
      return { kind: 'fit' };
    case 'Enter':
    case ' ':
      return { kind: 'lock' };
    case 'Escape':
      return { kind: 'release' };
    default:
      return undefined;
  }
}
