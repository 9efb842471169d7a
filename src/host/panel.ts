// The explorer panel: one webview panel, reused by every run, that shows the attention views.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import {
  isFromWebview,
  type ExportReplyMessage,
  type FromWebview,
  type OnnxReplyMessage,
  type RenderedMessage,
  type RequestStepsMessage,
  type ShowMessage,
  type ToWebview,
} from '../shared/protocol';
import type { WebGpuLayerInput } from '../shared/webgpu';
import { CancelledError } from './attentionClient';
import { revealTokens } from './explorer/editorLink';
import type { ExplorerRun } from './explorer/run';
import { computeSteps } from './explorer/steps';
import { webviewStrings } from './explorer/strings';
import type { WebGpuRunner } from './onnx/webgpu';

/** How long a run waits for the webview to say it drew, before giving up on the report. */
const RENDER_REPORT_TIMEOUT_MS = 30_000;
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
  private readonly waiting = new Map<number, (m: RenderedMessage | undefined) => void>();
  private readonly exports = new Map<number, (m: ExportReplyMessage) => void>();
  private readonly onnxRuns = new Map<number, (m: OnnxReplyMessage) => void>();
  private nextRequest = 1;
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedMessage>();
  /** Fires whenever the webview reports what it drew. */
  readonly onDidRender = this.renderedEmitter.event;
  /** What the panel shows now; undefined until the first run. */
  run: ExplorerRun | undefined;

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
    await this.ready;
    const requestId = this.nextRequest++;
    const report = new Promise<RenderedMessage | undefined>((resolve) => {
      this.waiting.set(requestId, resolve);
      setTimeout(() => {
        if (this.waiting.delete(requestId)) resolve(undefined);
      }, RENDER_REPORT_TIMEOUT_MS);
    });
    const transfer: ShowMessage = { type: 'show', requestId, ...message };
    await this.post(transfer);
    return report;
  }

  /** Asks the webview for a picture of the current view, or for its state. */
  async requestExport(format: 'png' | 'svg' | 'state'): Promise<ExportReplyMessage> {
    await this.ready;
    const requestId = this.nextRequest++;
    const reply = new Promise<ExportReplyMessage>((resolve, reject) => {
      this.exports.set(requestId, resolve);
      setTimeout(() => {
        if (this.exports.delete(requestId)) reject(new Error(vscode.l10n.t('The attention view did not answer.')));
      }, EXPORT_TIMEOUT_MS);
    });
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
    let cancelled: vscode.Disposable | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const reply = new Promise<OnnxReplyMessage>((resolve, reject) => {
      this.onnxRuns.set(requestId, resolve);
      cancelled = token.onCancellationRequested(() => {
        if (this.onnxRuns.delete(requestId)) reject(new CancelledError());
      });
      timer = setTimeout(() => {
        if (this.onnxRuns.delete(requestId)) {
          resolve({ type: 'onnxReply', requestId, fallback: 'failed', detail: vscode.l10n.t('no answer from the panel within {0} s', WEBGPU_TIMEOUT_MS / 1000) });
        }
      }, WEBGPU_TIMEOUT_MS);
    });
    try {
      await this.post({
        type: 'runOnnx', requestId, ...request,
        ortScript: dist('webviewOrt.js'), ortWasm: dist('ort-wasm-simd-threaded.asyncify.wasm'),
        simulateNoAdapter: process.env[NO_WEBGPU_ENV] === '1' || undefined,
      });
      return await reply;
    } finally {
      clearTimeout(timer);
      cancelled?.dispose();
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
      case 'rendered': {
        const resolve = this.waiting.get(message.requestId);
        this.waiting.delete(message.requestId);
        resolve?.(message);
        this.renderedEmitter.fire(message);
        break;
      }
      case 'error':
        void vscode.window.showErrorMessage(vscode.l10n.t('The attention view failed to draw: {0}', message.message));
        break;
      case 'requestSteps':
        void this.answerSteps(message);
        break;
      case 'revealTokens': {
        const source = this.run?.sources[message.sequence];
        const payload = this.run?.payloads[message.sequence];
        if (source && payload) void revealTokens(source, payload.offsets, message.tokens);
        break;
      }
      case 'exportReply': {
        const resolve = this.exports.get(message.requestId);
        this.exports.delete(message.requestId);
        resolve?.(message);
        break;
      }
      case 'onnxReply': {
        const resolve = this.onnxRuns.get(message.requestId);
        this.onnxRuns.delete(message.requestId);
        resolve?.(message);
        break;
      }
    }
  }

  private async answerSteps(m: RequestStepsMessage): Promise<void> {
    const source = this.run?.sources[m.sequence];
    if (!this.run || !source) {
      await this.post({ type: 'steps', requestId: m.requestId, error: vscode.l10n.t('Run Explore Selection again to go through the steps.') });
      return;
    }
    try {
      const steps = computeSteps(source.text, this.run.settings, m.sequence, m.head, m.scale, m.causal);
      await this.post({ type: 'steps', requestId: m.requestId, steps });
    } catch (e) {
      await this.post({ type: 'steps', requestId: m.requestId, error: e instanceof Error ? e.message : String(e) });
    }
  }

  dispose(): void {
    if (AttentionPanel.current === this) AttentionPanel.current = undefined;
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
    this.exports.clear();
    for (const [requestId, resolve] of this.onnxRuns) resolve({ type: 'onnxReply', requestId, fallback: 'failed', detail: vscode.l10n.t('the panel was closed') });
    this.onnxRuns.clear();
    this.webviewPanel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
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
