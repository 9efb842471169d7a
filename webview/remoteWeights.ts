// What the panel fetches of a run whose weights stay in the host: the exact heads a view needs
// before it can draw (the lines and compare views at a few hundred tokens), and per-head
// summaries. Heatmaps and thumbnails ask for tiles themselves and keep nothing here.
import { fullWindow } from '../src/core/tiles';
import type { HeadStats } from '../src/shared/matrices';
import type { SequencePayload } from '../src/shared/protocol';
import type { HostLink } from './viewContext';
import { headMatrix, keptTokens } from './viewData';
import type { ViewState } from './viewState';

/**
 * Views that draw every weight of a head (lines, compare) fetch it exact up to this many tokens:
 * a head is then at most 1 MB. Beyond, they say the sequence is too long for them.
 */
export const EXACT_HEAD_TOKENS = 512;

export interface HeadRef {
  sequence: number;
  layer: number;
  head: number;
}

const NO_FILTERS = { threshold: 0, topK: 0, hideSpecial: false };

export class RunWeights {
  private readonly exact = new Map<string, Float32Array>(); // [N][N] per fetched head
  private readonly stats = new Map<number, HeadStats>();
  private readonly statsAsked = new Set<number>();

  constructor(
    private readonly host: HostLink,
    private readonly sequences: SequencePayload[],
  ) {}

  /** Exact [N][N] weights of a head: held here, or fetched earlier; undefined otherwise. */
  head(ref: HeadRef): Float32Array | undefined {
    const seq = this.sequences[ref.sequence];
    if (!seq) return undefined;
    return seq.remote ? this.exact.get(key(ref)) : headMatrix(seq, ref.layer, ref.head);
  }

  /** Tokens shown of a sequence: N, less the special tokens when they are hidden. */
  shownTokens(sequence: number, hideSpecial: boolean): number {
    const seq = this.sequences[sequence];
    return keptTokens(seq.special, hideSpecial)?.length ?? seq.n;
  }

  /** Heads the view of `state` draws exact that are neither here nor fetched yet. */
  missing(state: ViewState): HeadRef[] {
    const refs: HeadRef[] = [];
    if (state.view === 'lines') {
      const seq = this.sequences[state.sequence];
      for (let h = 0; h < seq.heads; h++) if (!state.hiddenHeads.includes(h)) refs.push({ sequence: state.sequence, layer: state.layer, head: h });
      // The line view needs the token count of head 0 even with every head switched off.
      if (refs.length === 0) refs.push({ sequence: state.sequence, layer: state.layer, head: 0 });
    } else if (state.view === 'compare') {
      refs.push(state.compareA, state.compareB);
    } else if (state.view === 'generate') {
      // A generated token's row in every layer and head.
      const seq = this.sequences[state.sequence];
      for (let l = 0; l < seq.layers; l++) for (let h = 0; h < seq.heads; h++) refs.push({ sequence: state.sequence, layer: l, head: h });
    }
    return refs.filter((r) => {
      const seq = this.sequences[r.sequence];
      return seq?.remote && seq.n <= EXACT_HEAD_TOKENS && !this.exact.has(key(r));
    });
  }

  /** Fetches heads exact (the whole window at one block per weight). */
  async fetch(refs: HeadRef[]): Promise<void> {
    await Promise.all(
      refs.map(async (r) => {
        const n = this.sequences[r.sequence].n;
        const choice = { layer: r.layer, head: r.head, aggregate: 'none' as const, rollout: false };
        const { tile } = await this.host.requestTile(r.sequence, choice, NO_FILTERS, fullWindow(n), n, n);
        this.exact.set(key(r), tile.max);
      }),
    );
  }

  /**
   * Per-head summaries. Weights held here are summarised at once; for weights in the host the
   * first call asks for them and returns undefined, and `arrived` runs when they are here.
   */
  summaries(sequence: number, causal: boolean, compute: () => HeadStats, arrived: () => void): HeadStats | undefined {
    const known = this.stats.get(sequence);
    if (known) return known;
    const seq = this.sequences[sequence];
    if (!seq.remote) {
      const st = compute();
      this.stats.set(sequence, st);
      return st;
    }
    if (!this.statsAsked.has(sequence)) {
      this.statsAsked.add(sequence);
      void this.host.requestStats(sequence, causal).then((st) => {
        this.stats.set(sequence, st);
        arrived();
      }, () => undefined); // without summaries the model view keeps its layer order
    }
    return undefined;
  }
}

function key(r: HeadRef): string {
  return `${r.sequence}:${r.layer}:${r.head}`;
}
