// Grouped-query attention: H query heads share K key/value heads, H/K query heads to a group, and
// query head h reads key/value head floor(h / (H/K)). Every view that draws the heads of a layer
// (the explorer panel's heatmaps and model grid, the notebook renderer, their exported copies)
// asks here which group a head is in, where a line between groups goes and what its caption says.
// Pure: no vscode, DOM or Node imports.
import { formatString } from './notebookOutput';

/** Whether `kvHeads` key/value heads can be shared by `heads` query heads: a whole number ≥ 1 that divides them. */
export function isKvHeadCount(kvHeads: unknown, heads: number): kvHeads is number {
  return typeof kvHeads === 'number' && Number.isInteger(kvHeads) && kvHeads >= 1 && kvHeads <= heads && heads % kvHeads === 0;
}

/** Whether `v` is a list of key/value heads per layer for `layers` layers of `heads` query heads each. */
export function isKvHeadsList(v: unknown, layers: number, heads: number): v is number[] {
  return Array.isArray(v) && v.length === layers && v.every((k) => isKvHeadCount(k, heads));
}

/** How the query heads of one layer share key/value heads. */
export class HeadGroups {
  /** Query heads per key/value head. */
  readonly size: number;

  /** `kvHeads` undefined: no sharing, one key/value head per query head. Throws RangeError when it does not divide `heads`. */
  constructor(readonly heads: number, readonly kvHeads: number = heads) {
    if (!Number.isInteger(heads) || heads < 1) throw new RangeError(`heads must be a whole number ≥ 1, got ${heads}`);
    if (!isKvHeadCount(kvHeads, heads)) throw new RangeError(`${kvHeads} key/value heads cannot be shared by ${heads} query heads`);
    this.size = heads / kvHeads;
  }

  /** True when query heads share key/value heads: views then show the groups. */
  get grouped(): boolean {
    return this.kvHeads < this.heads;
  }

  /** The key/value head (0-based) query head `head` reads. */
  groupOf(head: number): number {
    return Math.floor(head / this.size);
  }

  /**
   * Whether a line goes before query head `head` when heads are drawn in order: the first head of
   * every group but the first, and only when heads are shared.
   */
  startsGroup(head: number): boolean {
    return this.grouped && head > 0 && head % this.size === 0;
  }

  /** "KV head 2 of 4" for query head `head` (`template` is the localised "KV head {0} of {1}"); '' when nothing is shared. */
  kvCaption(head: number, template: string): string {
    return this.grouped ? formatString(template, this.groupOf(head) + 1, this.kvHeads) : '';
  }

  /** `text` ("Head 5"), followed by " · KV head 2 of 4" when heads are shared. */
  withKv(text: string, head: number, template: string): string {
    return this.grouped ? `${text} · ${this.kvCaption(head, template)}` : text;
  }
}

/** The groups of layer `layer` of a run whose key/value heads per layer are `kvHeads` (undefined: none shared). */
export function layerGroups(heads: number, kvHeads: readonly number[] | undefined, layer: number): HeadGroups {
  return new HeadGroups(heads, kvHeads?.[layer] ?? heads);
}
