// The zoomable heatmap's viewport math: zoom about a point, clamping to the matrix, the smallest
// window, panning by pixels, pixel ↔ token, what to ask the host for and where the previous
// image goes while the next is on its way, on views small enough to check by hand.
import assert from 'node:assert/strict';
import { fullWindow } from '../../../src/core/tiles';
import {
  canZoomIn, canZoomOut, cellRange, centreOn, clampViewport, clipPlacement, ensureVisible, fitViewport, fromOverview,
  MAX_CELL, overviewRect, panBy, placeWindow, resizeViewport, sameWindow, spanOf, tickStep, tileRequest, tokenAt, viewportFor,
  visibleWindow, zoomAt, type Viewport,
} from '../../../webview/viewport';

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

/** The fractional token under plot point (x, y). */
const tokenPos = (v: Viewport, x: number, y: number) => ({ q: v.q0 + y / v.cell, k: v.k0 + x / v.cell });

/** 1024 tokens on a 512 px plot: fit is 0.5 px per token. */
const fit = fitViewport(1024, 512);

describe('zoomable heatmap viewport', () => {
  it('fits the whole matrix: cell = side / N, window = everything', () => {
    assert.equal(fit.cell, 0.5);
    assert.equal(spanOf(fit), 1024);
    assert.deepEqual(visibleWindow(fit), fullWindow(1024));
    assert.deepEqual(cellRange(1024, 512), [0.5, MAX_CELL]);
    assert.equal(canZoomOut(fit), false);
    assert.equal(canZoomIn(fit), true);
  });

  it('zooms about a point: the token under the pointer stays under it', () => {
    for (const [x, y] of [[100, 300], [256, 256], [10.5, 400.25]]) {
      const v = zoomAt(fit, 4, x, y);
      assert.equal(v.cell, 2);
      const before = tokenPos(fit, x, y);
      const after = tokenPos(v, x, y);
      near(after.q, before.q);
      near(after.k, before.k);
      // And again from there, zooming out part of the way.
      const w = zoomAt(v, 0.5, x, y);
      near(tokenPos(w, x, y).q, before.q);
      near(tokenPos(w, x, y).k, before.k);
    }
  });

  it('zooming in then out by the same factor comes back to the same view', () => {
    const v = zoomAt(fit, 8, 200, 120);
    const back = zoomAt(zoomAt(v, 3, 50, 60), 1 / 3, 50, 60);
    near(back.cell, v.cell);
    near(back.q0, v.q0);
    near(back.k0, v.k0);
  });

  it('clamps to [0, N]: near an edge the window stops at the edge instead of leaving the matrix', () => {
    // Zooming in at the very corner keeps token 0 at the corner.
    const corner = zoomAt(fit, 4, 0, 0);
    assert.equal(corner.q0, 0);
    assert.equal(corner.k0, 0);
    // Zooming out from a view near the end cannot show past token N.
    const end = clampViewport({ ...fit, cell: 4, q0: 1000, k0: 1000 });
    assert.equal(end.q0, 1024 - 128);
    assert.equal(end.k0, 1024 - 128);
    const out = zoomAt(end, 0.5, 500, 500);
    assert.ok(out.q0 + spanOf(out) <= 1024 + 1e-9);
    assert.ok(out.k0 >= 0 && out.q0 >= 0);
  });

  it('stops zooming out at the whole matrix and zooming in at one token per maxCell px', () => {
    const outer = zoomAt(fit, 0.01, 300, 300);
    assert.deepEqual(outer, fit);
    const deepest = zoomAt(fit, 1e6, 300, 300);
    assert.equal(deepest.cell, MAX_CELL);
    near(spanOf(deepest), 512 / 48); // the smallest window: about 10.7 tokens
    assert.equal(canZoomIn(deepest), false);
    assert.equal(zoomAt(fit, 1e6, 300, 300, 16).cell, 16);
  });

  it('ignores a zoom factor that is not a positive number', () => {
    for (const f of [NaN, 0, -2, Infinity]) assert.deepEqual(zoomAt(fit, f, 10, 10), fit);
  });

  it('keeps a matrix smaller than the plot at its fitting size, with no zoom either way', () => {
    const small = fitViewport(4, 512); // 128 px per token, more than MAX_CELL
    assert.deepEqual(cellRange(4, 512), [128, 128]);
    assert.deepEqual(zoomAt(small, 2, 100, 100), small);
    assert.deepEqual(zoomAt(small, 0.5, 100, 100), small);
    assert.equal(canZoomIn(small) || canZoomOut(small), false);
    const one = fitViewport(1, 100);
    assert.deepEqual(visibleWindow(one), { q0: 0, q1: 1, k0: 0, k1: 1 });
    assert.deepEqual(tokenAt(one, 99, 0), { q: 0, k: 0 });
  });

  it('pans by pixels: the content follows the drag, clamped to the matrix', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 100, k0: 200 });
    const p = panBy(v, 40, -20); // right 10 tokens, up 5
    assert.equal(p.k0, 190);
    assert.equal(p.q0, 105);
    assert.equal(p.cell, v.cell);
    // A sub-token drag moves by a fraction of a token; nothing is lost to rounding.
    near(panBy(v, 1, 0).k0, 199.75);
    assert.equal(panBy(v, 1e6, 1e6).k0, 0);
    assert.equal(panBy(v, -1e6, -1e6).q0, 1024 - 128);
    assert.deepEqual(panBy(fit, 50, 50), fit);
  });

  it('maps pixels to tokens and back', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 100.5, k0: 200.25 });
    assert.deepEqual(tokenAt(v, 0, 0), { q: 100, k: 200 });
    assert.deepEqual(tokenAt(v, 3, 1.9), { q: 100, k: 201 }); // 200.25 + 3/4 = 201.0
    assert.deepEqual(tokenAt(v, 511.9, 511.9), { q: 228, k: 328 });
    for (const [x, y] of [[-1, 0], [0, -0.1], [512, 0], [0, 512], [NaN, 3]]) assert.equal(tokenAt(v, x, y), undefined);
    // The rectangle of the cell under a pixel contains that pixel.
    for (const [x, y] of [[17, 33], [250.5, 400], [0, 0]]) {
      const c = tokenAt(v, x, y);
      assert.ok(c);
      const r = placeWindow(v, { q0: c.q, q1: c.q + 1, k0: c.k, k1: c.k + 1 });
      assert.ok(r.x <= x && x < r.x + r.w && r.y <= y && y < r.y + r.h, `${x},${y} in ${JSON.stringify(r)}`);
      assert.equal(r.w, 4);
    }
  });

  it('asks for the whole tokens that cover the view, robust to float error at the edges', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 100.5, k0: 200 });
    assert.deepEqual(visibleWindow(v), { q0: 100, q1: 229, k0: 200, k1: 328 });
    // 1 − 1e-12 from a zoom is token 1, not token 0 with a sliver of it.
    const w = visibleWindow({ ...v, q0: 1 - 1e-12, k0: 3 + 1e-12 });
    assert.deepEqual(w, { q0: 1, q1: 129, k0: 3, k1: 131 });
  });

  it('sizes the request to about a block per device pixel, at most the cap, exact when the window fits', () => {
    assert.deepEqual(tileRequest(fit, 1), { window: fullWindow(1024), rows: 512, cols: 512 });
    assert.deepEqual(tileRequest(fit, 2, 512), { window: fullWindow(1024), rows: 512, cols: 512 });
    assert.deepEqual(tileRequest(fit, 2, 2048), { window: fullWindow(1024), rows: 1024, cols: 1024 });
    assert.deepEqual(tileRequest(fitViewport(16384, 300), 1.5), { window: fullWindow(16384), rows: 450, cols: 450 });
    const v = clampViewport({ ...fit, cell: 2, q0: 10, k0: 20 }); // 256 tokens: fits, so exact
    assert.deepEqual(tileRequest(v, 1), { window: { q0: 10, q1: 266, k0: 20, k1: 276 }, rows: 256, cols: 256 });
  });

  it('asks for the whole matrix at the size the source keeps ready, and any other window at the pixels', () => {
    const whole = fitViewport(16384, 300);
    assert.deepEqual(tileRequest(whole, 1.5, 512, 256), { window: fullWindow(16384), rows: 256, cols: 256 });
    assert.deepEqual(tileRequest(fitViewport(16384, 100), 1, 512, 256), { window: fullWindow(16384), rows: 256, cols: 256 });
    assert.deepEqual(tileRequest(fitViewport(100, 300), 1, 512, 256), { window: fullWindow(100), rows: 100, cols: 100 }, 'never more blocks than tokens');
    const zoomed = clampViewport({ ...whole, cell: whole.cell * 4 });
    const want = tileRequest(zoomed, 1.5, 512, 256);
    assert.notDeepEqual(want.window, fullWindow(16384));
    assert.equal(want.rows, 450, 'a zoomed window is not held to the whole-matrix size');
  });

  it('shows a window it is given: a square one exactly, a long one inside a square around it', () => {
    const w = { q0: 300, q1: 428, k0: 40, k1: 168 };
    const v = viewportFor(w, 1024, 512);
    assert.equal(v.cell, 4);
    assert.deepEqual(visibleWindow(v), w);
    const long = viewportFor({ q0: 500, q1: 510, k0: 0, k1: 200 }, 1024, 512);
    const seen = visibleWindow(long);
    assert.ok(seen.q0 <= 500 && seen.q1 >= 510 && seen.k0 <= 0 && seen.k1 >= 200, JSON.stringify(seen));
    near(long.q0 + spanOf(long) / 2, 505); // centred on the rows asked for
    // Smaller than the deepest zoom: widened to the smallest window around it.
    const tiny = viewportFor({ q0: 700, q1: 701, k0: 5, k1: 6 }, 1024, 512);
    assert.equal(tiny.cell, MAX_CELL);
    assert.deepEqual(tokenAt(tiny, (5.5 - tiny.k0) * tiny.cell, (700.5 - tiny.q0) * tiny.cell), { q: 700, k: 5 });
    // Outside the matrix: clamped into it.
    assert.deepEqual(visibleWindow(viewportFor({ q0: 2000, q1: 3000, k0: -50, k1: 10 }, 1024, 512)).q1, 1024);
    assert.deepEqual(visibleWindow(viewportFor(fullWindow(1024), 1024, 512)), fullWindow(1024));
  });

  it('keeps the same tokens in view when the plot is resized', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 100.5, k0: 200.25 });
    assert.deepEqual(resizeViewport(v, 512), v);
    const half = resizeViewport(v, 256);
    assert.equal(half.cell, 2);
    assert.deepEqual(visibleWindow(half), visibleWindow(v));
    assert.deepEqual(resizeViewport(fit, 300), fitViewport(1024, 300));
    // Redrawing at the same size again and again does not creep.
    let r = zoomAt(fit, 1e6, 100, 100);
    for (let i = 0; i < 50; i++) r = resizeViewport(resizeViewport(r, 400), 512);
    near(r.cell, MAX_CELL, 1e-9);
  });

  it('places the previous image where its window lies in the new view', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 100, k0: 200 });
    const prev = visibleWindow(v);
    // Unchanged view: the image fills the plot.
    assert.deepEqual(placeWindow(v, prev), { x: 0, y: 0, w: 512, h: 512 });
    // After a pan the image moves with the content.
    assert.deepEqual(placeWindow(panBy(v, 40, -20), prev), { x: 40, y: -20, w: 512, h: 512 });
    // After zooming about (x, y), the image's pixel that was at (x, y) is at (x, y) again.
    const [x, y] = [300, 120];
    const z = zoomAt(v, 2, x, y);
    const r = placeWindow(z, prev);
    near(r.w, 1024);
    near(r.x + (x / 512) * r.w, x);
    near(r.y + (y / 512) * r.h, y);
    // Zooming out: the old image shrinks to its part of the plot.
    const o = placeWindow(zoomAt(v, 0.25, 256, 256), prev);
    near(o.w, 128);
    near(o.x + o.w / 2, 256);
  });

  it('cuts a placed image to the plot, so a huge overview costs one small copy', () => {
    assert.deepEqual(clipPlacement({ x: 0, y: 0, w: 100, h: 100 }, 100, 50, 50), { sx: 0, sy: 0, sw: 50, sh: 50, dx: 0, dy: 0, dw: 100, dh: 100 });
    // 128 px image placed 1000 px wide starting 250 px left of the plot: its pixels 32 … 44.8 show.
    const b = clipPlacement({ x: -250, y: 10, w: 1000, h: 1000 }, 100, 128, 128);
    assert.ok(b);
    near(b.sx, 32);
    near(b.sw, 12.8);
    assert.equal(b.dx, 0);
    assert.equal(b.dw, 100);
    assert.equal(b.dy, 10);
    assert.equal(b.dh, 90);
    assert.equal(clipPlacement({ x: 100, y: 0, w: 10, h: 10 }, 100, 4, 4), undefined);
    assert.equal(clipPlacement({ x: 0, y: 0, w: 0, h: 10 }, 100, 4, 4), undefined);
  });

  it('finds the view on the overview and the token under an overview point', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 256, k0: 512 }); // 128 tokens
    assert.deepEqual(overviewRect(v, 128), { x: 64, y: 32, w: 16, h: 16 });
    assert.deepEqual(fromOverview(64, 32, 128, 1024), { q: 256, k: 512 });
    assert.deepEqual(fromOverview(-5, 500, 128, 1024), { q: 1024, k: 0 });
    const c = centreOn(v, 100, 1000);
    near(c.q0 + spanOf(c) / 2, 100);
    assert.equal(c.k0, 1024 - 128); // clamped: the centre cannot go that far right
  });

  it('pans as little as needed to bring a cell into view', () => {
    const v = clampViewport({ ...fit, cell: 4, q0: 100, k0: 200 }); // 128 tokens
    assert.deepEqual(ensureVisible(v, { q: 150, k: 250 }), v);
    assert.equal(ensureVisible(v, { q: 99, k: 250 }).q0, 99);
    assert.equal(ensureVisible(v, { q: 228, k: 250 }).q0, 101);
    assert.equal(ensureVisible(v, { q: 150, k: 1023 }).k0, 1024 - 128);
  });

  it('spaces axis ticks at 1, 2 or 5 × 10^k tokens', () => {
    assert.equal(tickStep(0.05, 64), 2000); // 1280 tokens → 2000
    assert.equal(tickStep(1, 64), 100);
    assert.equal(tickStep(0.64, 64), 100);
    assert.equal(tickStep(3, 64), 50);
    assert.equal(tickStep(20, 64), 5);
    assert.equal(tickStep(100, 64), 1);
  });

  it('tells equal windows apart from different ones', () => {
    assert.equal(sameWindow(fullWindow(3), { q0: 0, q1: 3, k0: 0, k1: 3 }), true);
    assert.equal(sameWindow(fullWindow(3), { q0: 0, q1: 3, k0: 0, k1: 2 }), false);
  });

  it('works at 16 384 tokens: the whole matrix asks for 512 blocks, the deepest zoom shows about 13 tokens', () => {
    const big = fitViewport(16384, 613);
    const req = tileRequest(big, 1);
    assert.equal(req.rows, 512);
    const deep = zoomAt(big, 1e9, 306, 306);
    assert.equal(deep.cell, MAX_CELL);
    const w = visibleWindow(deep);
    assert.ok(w.q1 - w.q0 <= 14 && w.q1 - w.q0 >= 12, JSON.stringify(w));
    near(tokenPos(deep, 306, 306).q, 306 / big.cell, 1e-6); // the point zoomed about is still under the pointer
  });
});
