// Attention: Explore Selection — from the editor's selections to heatmaps in the panel.
import * as vscode from 'vscode';
import { inputOf, inputTokens, isInputError, laterKeyWeight } from '../core';
import type { RenderedMessage, RequestStepsMessage, SequencePayload } from '../shared/protocol';
import { CancelledError, ComputeError } from './attentionClient';
import { runRecord } from './explorer/run';
import { runSteps } from './explorer/steps';
import { exploreRequest, type AttentionRun, type Engines } from './onnx/engines';
import { AttentionPanel } from './panel';
import { readSelections, type SourceSequence } from './selection';
import { readSettings, type ExploreSettings } from './settings';

/** Runs with more tokens than this (all sequences together) show a cancellable notification. */
const NOTIFY_ABOVE_TOKENS = 256;

/** What a run ended with; returned by the command so scripts and tests can see it too. */
export type ExploreOutcome =
  | {
      status: 'shown';
      panelCreated: boolean;
      rendered: RenderedMessage | undefined;
      /** How long the engines took, all sequences together (what the run line shows). */
      elapsedMs: number;
    }
  | { status: 'noEditor' | 'empty' | 'declined' | 'cancelled' | 'failed' };

export interface ExploreOptions {
  /** The editor to read; default the active one. */
  editor?: vscode.TextEditor;
  /** A run nobody asked for this moment (following the selection, a reload): no messages, no questions. */
  quiet?: boolean;
}

export async function exploreSelection(
  extensionUri: vscode.Uri, engines: Engines, options: ExploreOptions = {},
): Promise<ExploreOutcome> {
  const editor = options.editor ?? vscode.window.activeTextEditor;
  if (!editor) {
    if (!options.quiet) void vscode.window.showInformationMessage(vscode.l10n.t('Open a file and select text to explore its attention.'));
    return { status: 'noEditor' };
  }
  const read = readSelections(editor);
  if (read.kind === 'empty') {
    if (!options.quiet) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Nothing to explore: the selection and the current line are empty. Select some text first.'),
      );
    }
    return { status: 'empty' };
  }
  return exploreSources(extensionUri, engines, read.sequences, options);
}

/** Computes the sequences and shows them in the panel (created if needed, or the one given). */
export async function exploreSources(
  extensionUri: vscode.Uri, engines: Engines, sources: SourceSequence[], options: ExploreOptions & { panel?: AttentionPanel } = {},
): Promise<ExploreOutcome> {
  const settings = readSettings();
  const longest = Math.max(...sources.map((s) => countTokens(s.text)));
  if (longest > settings.maxTokensWithoutAsking && (options.quiet || !(await confirmLongRun(longest, settings)))) {
    return { status: 'declined' };
  }

  // The panel opens before the run: its page loads while the engine computes (and WebGPU runs in
  // it). A panel opened for a run that then fails or is cancelled closes again.
  const { panel, created } = options.panel ? { panel: options.panel, created: false } : AttentionPanel.showOrCreate(extensionUri);
  void panel.computing();

  let computed: Computed;
  try {
    computed = await computeAll(sources, settings, engines, panel);
  } catch (e) {
    return endFailedRun(e, created ? panel : undefined, {
      cancelled: vscode.l10n.t('Attention run cancelled. Nothing was changed.'),
      failed: (detail) => vscode.l10n.t('Could not compute attention: {0}', detail),
    });
  }

  const { payloads, runs, elapsedMs, backend } = computed;
  const steps = (run: AttentionRun, m: RequestStepsMessage) => runSteps(run, m, engines, new vscode.CancellationTokenSource().token);
  panel.run = { sources, settings, payloads, runs, steps };
  const model = runs.some((r) => r.layer === undefined) || undefined;
  const rendered = await panel.show({
    sequences: payloads,
    settings: { heads: settings.heads, dModel: settings.dModel, seed: settings.seed, mask: settings.mask, engine: backend, model },
    elapsedMs,
    record: runRecord(sources),
  });
  return { status: 'shown', panelCreated: created, rendered, elapsedMs };
}

/** Attention grows with N²: above the limit, say how big the run is and let the person decide. */
async function confirmLongRun(longest: number, settings: ExploreSettings): Promise<boolean> {
  const megabytes = Math.ceil((settings.heads * longest * longest * 4) / 2 ** 20);
  const run = vscode.l10n.t('Run');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('This selection has {0} tokens. Attention grows with the square of the length: about {1} MB of weights for {2} heads. Run it anyway?', longest, megabytes, settings.heads),
    { modal: true },
    run,
  );
  return choice === run;
}

interface Computed {
  payloads: SequencePayload[];
  runs: AttentionRun[];
  elapsedMs: number;
  backend: string;
}

/** The one compute step: every sequence through the chosen engine, as the views receive it. */
async function computeAll(
  sequences: SourceSequence[],
  settings: ExploreSettings,
  engines: Engines,
  panel: AttentionPanel | undefined,
): Promise<Computed> {
  // Short runs finish in milliseconds: a notification would only flash. Long ones get a
  // notification with a Cancel button.
  const total = sequences.reduce((sum, s) => sum + countTokens(s.text), 0);
  const location = total > NOTIFY_ABOVE_TOKENS ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window;
  return vscode.window.withProgress(
    { location, title: vscode.l10n.t('Computing attention'), cancellable: true },
    async (progress, token) => {
      const payloads: SequencePayload[] = [];
      const runs: AttentionRun[] = [];
      const backends = new Set<string>();
      let elapsedMs = 0;
      const model = await engines.modelFor(settings);
      try {
        for (const [i, seq] of sequences.entries()) {
          progress.report({
            message: vscode.l10n.t('sequence {0} of {1}', i + 1, sequences.length),
            increment: i === 0 ? 0 : 100 / sequences.length,
          });
          const r = await engines.run(exploreRequest(seq.text, settings, model, i + 1), token, { webgpu: panel, keep: true });
          elapsedMs += r.elapsedMs;
          backends.add(r.backend);
          runs.push(r);
          payloads.push(sequencePayload(seq.label, r));
        }
      } catch (e) {
        // Sequences already kept in workers of their own are not shown: free them.
        for (const r of runs) r.kept?.release();
        throw e;
      }
      return { payloads, runs, elapsedMs, backend: [...backends].join(', ') };
    },
  );
}

/** A run as it crosses to the panel. */
/**
 * A run that did not finish: the panel opened for it (if any) closes again, and the person reads
 * why: cancelled, or the error's own sentence.
 */
export async function endFailedRun(
  e: unknown, openedForRun: AttentionPanel | undefined, texts: { cancelled: string; failed: (detail: string) => string },
): Promise<{ status: 'cancelled' | 'failed' }> {
  if (openedForRun) await openedForRun.close();
  if (e instanceof CancelledError) {
    void vscode.window.showInformationMessage(texts.cancelled);
    return { status: 'cancelled' };
  }
  const detail = e instanceof ComputeError || e instanceof Error ? e.message : String(e);
  void vscode.window.showErrorMessage(texts.failed(detail));
  return { status: 'failed' };
}

export function sequencePayload(label: string, r: AttentionRun): SequencePayload {
  return {
    label,
    tokens: r.tokens.map((t) => t.text),
    offsets: Int32Array.from(r.tokens.flatMap((t) => [t.start, t.end])), // [N][2]
    special: Uint8Array.from(r.tokens, (t) => (t.special ? 1 : 0)), // [N]
    layers: r.layers,
    heads: r.heads,
    // Query heads that share key/value heads are drawn in their groups.
    ...(r.kvHeads ? { kvHeads: r.kvHeads } : {}),
    // A model's layers are named by their graph nodes, so they can be found in the model.
    ...(r.nodes ? { layerNames: r.nodes } : {}),
    n: r.n,
    weights: r.weights, // [L][H][N][N]
    // The built-in layer recomputes a head; a model that gives its own q, k, v is taken apart.
    steps: r.layer !== undefined || r.model !== undefined,
    causal: r.layer ? r.layer.spec.mask === 'causal' : r.kept ? undefined : r.n >= 2 && r.weights.length > 0 && laterKeyWeight(r.weights, r.n) === undefined,
    // Kept where they were computed: the panel asks for tiles.
    remote: r.kept !== undefined || undefined,
  };
}


/** Tokens of a selection as the built-in layer reads it; a matrix that does not parse counts 0 and fails in the run with its row and column. */
function countTokens(text: string): number {
  try {
    return inputTokens(inputOf(text)).length;
  } catch (e) {
    if (isInputError(e)) return 0;
    throw e;
  }
}
