// The zoomable heatmap's tooltip weight: read from an exact tile when one holds the cell, else
// asked for alone; a reply for a cell the pointer has left is dropped. Also the key map and the
// tile helpers the view draws with.
import assert from 'node:assert/strict';
import type { Tile, Window } from '../../../src/core/tiles';
import { CellProbe } from '../../../webview/cellProbe';
import { exactWeight, tileMax } from '../../../webview/tileImage';
import { keyAction } from '../../../webview/zoomInput';

/** weight(q, k) = q + k / 1000, so every answer says which cell it is for. */
const weight = (q: number, k: number) => q + k / 1000;

function exactTile(w: Window): Tile {
  const rows = w.q1 - w.q0;
  const cols = w.k1 - w.k0;
  const max = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) max[r * cols + c] = weight(w.q0 + r, w.k0 + c);
  return { window: w, rows, cols, max, mean: max, exact: true };
}

/** A source whose replies wait until the test releases them, in any order. */
function manualSource() {
  const waiting: { w: Window; release: () => void }[] = [];
  const tile = (w: Window) => new Promise<Tile>((resolve) => waiting.push({ w, release: () => resolve(exactTile(w)) }));
  return { tile, waiting };
}

function recorder() {
  const shown: string[] = [];
  const drawn: number[] = [];
  const hooks = {
    show: (cell: { q: number; k: number }, v: number | undefined) => shown.push(`${cell.q},${cell.k}=${v === undefined ? '…' : v.toFixed(3)}`),
    drawn: (ms: number) => drawn.push(ms),
    fail: (e: unknown) => assert.fail(String(e)),
  };
  return { shown, drawn, hooks };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('zoomable heatmap cell probe', () => {
  it('reads an exact tile without asking', () => {
    const src = manualSource();
    const r = recorder();
    const probe = new CellProbe(src.tile, r.hooks);
    probe.show({ q: 3, k: 5 }, { x: 0, y: 0 }, [undefined, exactTile({ q0: 0, q1: 8, k0: 0, k1: 8 })]);
    assert.deepEqual(r.shown, ['3,5=3.005']);
    assert.equal(src.waiting.length, 0);
    assert.equal(r.drawn.length, 1);
  });

  it('asks for one cell when no exact tile holds it, and shows the answer', async () => {
    const src = manualSource();
    const r = recorder();
    const probe = new CellProbe(src.tile, r.hooks);
    const pooled: Tile = { ...exactTile({ q0: 0, q1: 4, k0: 0, k1: 4 }), exact: false };
    probe.show({ q: 2, k: 1 }, { x: 0, y: 0 }, [pooled]);
    assert.deepEqual(src.waiting.map((x) => x.w), [{ q0: 2, q1: 3, k0: 1, k1: 2 }]);
    // Moving within the same cell asks nothing more.
    probe.show({ q: 2, k: 1 }, { x: 1, y: 1 }, [pooled]);
    assert.equal(src.waiting.length, 1);
    src.waiting[0].release();
    await flush();
    assert.deepEqual(r.shown, ['2,1=…', '2,1=…', '2,1=2.001']);
    assert.equal(r.drawn.length, 1);
    // Coming back later is answered from memory.
    probe.show({ q: 9, k: 9 }, { x: 0, y: 0 }, []);
    probe.show({ q: 2, k: 1 }, { x: 0, y: 0 }, []);
    assert.equal(src.waiting.length, 2);
    assert.equal(r.shown.at(-1), '2,1=2.001');
  });

  it('drops a reply for a cell the pointer has left, whatever order replies come in', async () => {
    const src = manualSource();
    const r = recorder();
    const probe = new CellProbe(src.tile, r.hooks);
    probe.show({ q: 1, k: 1 }, { x: 0, y: 0 }, []);
    probe.show({ q: 7, k: 2 }, { x: 0, y: 0 }, []);
    src.waiting[1].release();
    await flush();
    src.waiting[0].release(); // stale: superseded by (7, 2)
    await flush();
    assert.deepEqual(r.shown, ['1,1=…', '7,2=…', '7,2=7.002']);
    // Leaving the matrix: a late reply does not reopen the tooltip.
    probe.show({ q: 4, k: 4 }, { x: 0, y: 0 }, []);
    probe.clear();
    src.waiting[2].release();
    await flush();
    assert.equal(r.shown.at(-1), '4,4=…');
  });

  it('reads a tile exactly only inside its window', () => {
    const t = exactTile({ q0: 10, q1: 12, k0: 20, k1: 23 });
    assert.equal(exactWeight(t, 11, 22), Math.fround(weight(11, 22)));
    assert.equal(exactWeight(t, 12, 22), undefined);
    assert.equal(exactWeight(t, 10, 19), undefined);
    assert.equal(exactWeight({ ...t, exact: false }, 11, 22), undefined);
    assert.equal(exactWeight(undefined, 0, 0), undefined);
    assert.equal(tileMax(t), Math.fround(weight(11, 22)));
    assert.equal(tileMax({ ...t, max: new Float32Array([NaN, 0.25]) }), 0.25);
  });

  it('maps keys to zoom, fit, arrows, lock and release', () => {
    assert.deepEqual(keyAction({ key: '+', shiftKey: true }), { kind: 'zoom', factor: 2 });
    assert.deepEqual(keyAction({ key: '=', shiftKey: false }), { kind: 'zoom', factor: 2 });
    assert.deepEqual(keyAction({ key: '-', shiftKey: false }), { kind: 'zoom', factor: 0.5 });
    assert.deepEqual(keyAction({ key: 'Home', shiftKey: false }), { kind: 'fit' });
    assert.deepEqual(keyAction({ key: 'ArrowLeft', shiftKey: true }), { kind: 'arrow', dq: 0, dk: -1, far: true });
    assert.deepEqual(keyAction({ key: 'ArrowDown', shiftKey: false }), { kind: 'arrow', dq: 1, dk: 0, far: false });
    assert.deepEqual(keyAction({ key: 'Enter', shiftKey: false }), { kind: 'lock' });
    assert.deepEqual(keyAction({ key: 'Escape', shiftKey: false }), { kind: 'release' });
    assert.equal(keyAction({ key: 'a', shiftKey: false }), undefined);
  });
});
