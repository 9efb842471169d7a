// The explorer panel: one webview panel, reused by every run, that shows the attention views.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import {
  checkSequenceKvHeads,
  isFromWebview,
  type ExportReplyMessage,
  type FromWebview,
  type OnnxReplyMessage,
  type RenderedMessage,
  type RequestStatsMessage,
  type RequestStepsMessage,
  type RequestTileMessage,
  type ShowMessage,
  type ToWebview,
} from '../shared/protocol';
import { headStats, heldTile } from '../shared/matrices';
import { Replies, type Ending } from '../shared/replies';
import type { WebGpuLayerInput } from '../shared/webgpu';
import { CancelledError } from './attentionClient';
import { revealTokens } from './explorer/editorLink';
import type { ExplorerRun } from './explorer/run';
import { webviewStrings } from './explorer/strings';
import type { WebGpuRunner } from './onnx/webgpu';

/** How long a run waits for the webview to say it drew, before giving up on the report. */
const RENDER_REPORT_TIMEOUT_MS = 30_000;
/**
 * A run whose weights take more than this stays in the host: the panel asks for the tiles it
 * draws, so what crosses grows with the pixels shown rather than with layers × heads × N².
 * Below it, the whole run is smaller than the overviews of its heads would be, and goes at once.
 */
const INLINE_WEIGHT_BYTES = 4 * 2 ** 20;
/** How long closing waits for the workbench to drop the panel's tab. */
const TAB_CLOSE_TIMEOUT_MS = 2_000;
/** How long an export waits for the webview to draw the picture. */
const EXPORT_TIMEOUT_MS = 60_000;
/** How long a WebGPU run may take in the panel before the WASM backend runs instead. */
const WEBGPU_TIMEOUT_MS = 300_000;
/** Set in the extension host's environment, the panel acts as if WebGPU had no adapter (tests of the fallback). */
export const NO_WEBGPU_ENV = 'ATTENTION_TEST_NO_WEBGPU';

export class AttentionPanel implements vscode.Disposable, WebGpuRunner {
  static readonly viewType = 'attentionExplorer.panel';
  private static current: AttentionPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly renders = new Replies<RenderedMessage | undefined>({ name: 'render report' });
  private readonly exports = new Replies<ExportReplyMessage>({ name: 'export' });
  private readonly onnxRuns = new Replies<OnnxReplyMessage>({ name: 'WebGPU run' });
  /** One sequence for all three kinds, so that a request id names one request in the webview. */
  private nextRequest = 1;
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedMessage>();
  /** Fires whenever the webview reports what it drew. */
  readonly onDidRender = this.renderedEmitter.event;
  /** What the panel shows now; undefined until the first run. */
  private shown: ExplorerRun | undefined;
  /** The `show` whose sequences the panel draws: tile requests name it, so none is answered from a newer run. */
  private shownRequest = 0;

  /** What the panel shows now; undefined until the first run. Weights a replaced run kept elsewhere are freed. */
  get run(): ExplorerRun | undefined {
    return this.shown;
  }

  set run(run: ExplorerRun | undefined) {
    if (this.shown && this.shown !== run) for (const r of this.shown.runs) r.kept?.release();
    this.shown = run;
  }

  /** The open panel, revealed; or a new one beside the active editor. */
  static showOrCreate(extensionUri: vscode.Uri): { panel: AttentionPanel; created: boolean } {
    if (AttentionPanel.current) {
      if (!AttentionPanel.current.webviewPanel.visible) AttentionPanel.current.webviewPanel.reveal(undefined, true);
      return { panel: AttentionPanel.current, created: false };
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      AttentionPanel.viewType,
      vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      AttentionPanel.webviewOptions(extensionUri),
    );
    AttentionPanel.current = new AttentionPanel(webviewPanel, extensionUri);
    return { panel: AttentionPanel.current, created: true };
  }

  /** Takes over a panel VS Code restored after a reload (see the serializer). */
  static revive(webviewPanel: vscode.WebviewPanel, extensionUri: vscode.Uri): AttentionPanel {
    AttentionPanel.current?.dispose();
    webviewPanel.webview.options = AttentionPanel.webviewOptions(extensionUri);
    AttentionPanel.current = new AttentionPanel(webviewPanel, extensionUri);
    return AttentionPanel.current;
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  static get open(): AttentionPanel | undefined {
    return AttentionPanel.current;
  }

  private constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    webviewPanel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webviewPanel.webview.html = panelHtml(webviewPanel.webview, extensionUri);
    this.disposables.push(
      webviewPanel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      webviewPanel.onDidDispose(() => this.dispose()),
      this.renderedEmitter,
    );
  }

  /** Sends sequences to draw; resolves with the webview's own report of what it drew. */
  async show(message: Omit<ShowMessage, 'type' | 'requestId'>): Promise<RenderedMessage | undefined> {
    for (const s of message.sequences) checkSequenceKvHeads(s);
    await this.ready;
    const requestId = this.nextRequest++;
    const report = this.renders.wait(requestId, { timeoutMs: RENDER_REPORT_TIMEOUT_MS, onTimeout: () => ({ value: undefined }) });
    // Hundreds of megabytes took seconds to arrive where the window runs in a browser (9.4 s for
    // 192 MB through code-server): a large run stays here and the panel asks for what it draws.
    const bytes = message.sequences.reduce((sum, s) => sum + s.weights.byteLength, 0);
    const sequences = bytes <= INLINE_WEIGHT_BYTES && !message.sequences.some((s) => s.remote)
      ? message.sequences
      : message.sequences.map((s) => ({ ...s, weights: new Float32Array(0), remote: true }));
    this.shownRequest = requestId;
    await this.post({ type: 'show', requestId, ...message, sequences });
    return report;
  }

  /**
   * Closes the panel and resolves once its tab is gone from the workbench (the tab list follows a
   * dispose a moment later), so a command that closes it returns with the window as it found it.
   */
  close(): Promise<void> {
    const open = () => vscode.window.tabGroups.all.some((g) => g.tabs.some(isPanelTab));
    this.dispose();
    if (!open()) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sub.dispose();
        resolve();
      };
      const sub = vscode.window.tabGroups.onDidChangeTabs(() => !open() && done());
      const timer = setTimeout(done, TAB_CLOSE_TIMEOUT_MS);
    });
  }

  /** Says in an empty panel that a run is on its way (a panel showing a run keeps it until the next arrives). */
  async computing(): Promise<void> {
    await this.ready;
    await this.post({ type: 'computing' });
  }

  /** Asks the webview for a picture of the current view, or for its state. */
  async requestExport(format: 'png' | 'svg' | 'state'): Promise<ExportReplyMessage> {
    await this.ready;
    const requestId = this.nextRequest++;
    const reply = this.exports.wait(requestId, { timeoutMs: EXPORT_TIMEOUT_MS, onTimeout: noExportAnswer });
    await this.post({ type: 'exportRequest', requestId, format });
    return reply;
  }

  /**
   * Runs an ONNX graph on WebGPU in the panel. Never rejects except when cancelled: a panel that
   * cannot run WebGPU, fails, closes or does not answer says why in the reply's `fallback`.
   */
  async runOnnxWebGpu(request: WebGpuLayerInput, token: vscode.CancellationToken): Promise<OnnxReplyMessage> {
    await this.ready;
    const requestId = this.nextRequest++;
    const dist = (file: string) => this.webviewPanel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', file)).toString();
    const reply = this.onnxRuns.wait(requestId, {
      timeoutMs: WEBGPU_TIMEOUT_MS,
      onTimeout: () => ({
        value: { type: 'onnxReply', requestId, fallback: 'failed', detail: vscode.l10n.t('no answer from the panel within {0} s', WEBGPU_TIMEOUT_MS / 1000) },
      }),
    });
    const cancelled = token.onCancellationRequested(() => this.onnxRuns.fail(requestId, new CancelledError()));
    try {
      await this.post({
        type: 'runOnnx', requestId, ...request,
        ortScript: dist('webviewOrt.js'), ortWasm: dist('ort-wasm-simd-threaded.asyncify.wasm'),
        simulateNoAdapter: process.env[NO_WEBGPU_ENV] === '1' || undefined,
      });
      return await reply;
    } finally {
      cancelled.dispose();
    }
  }

  private post(message: ToWebview): Thenable<boolean> {
    return this.webviewPanel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    // The webview is untrusted content: act only on messages of a known shape.
    if (!isFromWebview(raw)) return;
    const message: FromWebview = raw;
    switch (message.type) {
      case 'ready':
        void this.post({ type: 'init', strings: webviewStrings() });
        this.markReady();
        break;
      case 'rendered':
        this.renders.answer(message.requestId, message);
        this.renderedEmitter.fire(message);
        break;
      case 'error':
        void vscode.window.showErrorMessage(vscode.l10n.t('The attention view failed to draw: {0}', message.message));
        break;
      case 'requestSteps':
        void this.answerSteps(message);
        break;
      case 'revealTokens': {
        const source = this.run?.sources[message.sequence];
        const payload = this.run?.payloads[message.sequence];
        // Generated tokens are not in the editor's text: only the prompt's are selected there.
        if (source && payload) void revealTokens(source, payload.offsets, message.tokens.filter((t) => t < payload.n - (payload.generated ?? 0)));
        // Weights read from a file have no text to point at: say so where it does not interrupt.
        else if (payload?.file !== undefined) {
          vscode.window.setStatusBarMessage(vscode.l10n.t('These weights were read from {0}: there is no text to show in an editor.', payload.file), 5_000);
        }
        break;
      }
      case 'exportReply':
        this.exports.answer(message.requestId, message);
        break;
      case 'onnxReply':
        this.onnxRuns.answer(message.requestId, message);
        break;
      case 'requestTile':
        void this.answerTile(message);
        break;
      case 'requestStats':
        void this.answerStats(message);
        break;
    }
  }

  /** A tile of a sequence whose weights stayed in the host: here, or in the worker that kept them. */
  private async answerTile(m: RequestTileMessage): Promise<void> {
    const seq = m.run === this.shownRequest ? this.run?.payloads[m.sequence] : undefined;
    const kept = this.run?.runs[m.sequence]?.kept;
    try {
      if (!seq) throw new RangeError(vscode.l10n.t('Run Explore Selection again: this panel no longer holds its weights.'));
      const { tile, peak } = kept
        ? await kept.tile(m.choice, m.filters, m.window, m.rows, m.cols)
        : heldTile(seq, m.choice, m.filters, m.window, m.rows, m.cols);
      await this.post({ type: 'tile', requestId: m.requestId, tile, peak });
    } catch (e) {
      await this.post({ type: 'tile', requestId: m.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  }

  /** Per-head summaries of a sequence whose weights stayed in the host. */
  private async answerStats(m: RequestStatsMessage): Promise<void> {
    const seq = m.run === this.shownRequest ? this.run?.payloads[m.sequence] : undefined;
    const kept = this.run?.runs[m.sequence]?.kept;
    try {
      if (!seq) throw new RangeError(vscode.l10n.t('Run Explore Selection again: this panel no longer holds its weights.'));
      const { entropy, sparsity, max } = kept ? await kept.stats(m.causal) : headStats(seq, m.causal);
      await this.post({ type: 'stats', requestId: m.requestId, entropy, sparsity, max });
    } catch (e) {
      await this.post({ type: 'stats', requestId: m.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async answerSteps(m: RequestStepsMessage): Promise<void> {
    const run = this.run?.runs[m.sequence];
    const file = this.run?.payloads[m.sequence]?.file;
    if (file !== undefined) {
      await this.post({ type: 'steps', requestId: m.requestId, error: vscode.l10n.t('Step by step recomputes the built-in layer; this data was read from {0}.', file) });
      return;
    }
    if (!run) {
      await this.post({ type: 'steps', requestId: m.requestId, error: vscode.l10n.t('Run Explore Selection again to go through the steps.') });
      return;
    }
    try {
      const steps = await this.run?.steps?.(run, m);
      if (!steps) throw new RangeError(vscode.l10n.t('Step by step needs the built-in layer, or a model that gives its own queries, keys and values (the shipped models do); this model does not.'));
      await this.post({ type: 'steps', requestId: m.requestId, steps });
    } catch (e) {
      await this.post({ type: 'steps', requestId: m.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  }

  dispose(): void {
    if (AttentionPanel.current === this) AttentionPanel.current = undefined;
    this.run = undefined;
    this.renders.closeAll(() => ({ value: undefined }));
    // An export asked of a panel that closes would otherwise wait for ever.
    this.exports.closeAll(noExportAnswer);
    this.onnxRuns.closeAll((requestId) => ({ value: { type: 'onnxReply', requestId, fallback: 'failed', detail: vscode.l10n.t('the panel was closed') } }));
    this.webviewPanel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function isPanelTab(tab: vscode.Tab): boolean {
  return tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(AttentionPanel.viewType);
}

function noExportAnswer(): Ending<ExportReplyMessage> {
  return { error: new Error(vscode.l10n.t('The attention view did not answer.')) };
}

function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  // Nothing remote, no inline code: scripts only by nonce, styles and fonts only from our files.
  // The WebGPU engine adds onnxruntime's bundle by the same nonce; compiling its WebAssembly needs
  // 'wasm-unsafe-eval' (not 'unsafe-eval': its glue runs without eval), and fetching its .wasm
  // from dist/ needs connect-src to our own files.
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `connect-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>Attention</title>
</head>
<body>
<main id="app"></main>
<div id="tooltip" role="status" hidden></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
