// The explorer panel: one webview panel, reused by every run, that shows per-head heatmaps.
import * as crypto from 'node:crypto';
import * as vscode from 'vscode';
import {
  isFromWebview,
  type FromWebview,
  type RenderedMessage,
  type ShowMessage,
  type ToWebview,
  type WebviewStrings,
} from '../shared/protocol';

/** How long a run waits for the webview to say it drew, before giving up on the report. */
const RENDER_REPORT_TIMEOUT_MS = 30_000;

function webviewStrings(): WebviewStrings {
  return {
    head: vscode.l10n.t('Head'),
    query: vscode.l10n.t('Query'),
    key: vscode.l10n.t('Key'),
    weight: vscode.l10n.t('Weight'),
    noData: vscode.l10n.t('Select text in an editor and run "Attention: Explore Selection".'),
    tokens: vscode.l10n.t('tokens'),
    heatmapLabel: vscode.l10n.t('Attention weights of head {0}: queries down, keys across'),
  };
}

export class AttentionPanel implements vscode.Disposable {
  static readonly viewType = 'attentionExplorer.panel';
  private static current: AttentionPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly ready: Promise<void>;
  private markReady!: () => void;
  private readonly waiting = new Map<number, (m: RenderedMessage | undefined) => void>();
  private nextRequest = 1;
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedMessage>();
  /** Fires whenever the webview reports what it drew. */
  readonly onDidRender = this.renderedEmitter.event;

  /** The open panel, revealed; or a new one beside the active editor. */
  static showOrCreate(extensionUri: vscode.Uri): { panel: AttentionPanel; created: boolean } {
    if (AttentionPanel.current) {
      AttentionPanel.current.webviewPanel.reveal(vscode.ViewColumn.Beside, true);
      return { panel: AttentionPanel.current, created: false };
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      AttentionPanel.viewType,
      vscode.l10n.t('Attention'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
      },
    );
    AttentionPanel.current = new AttentionPanel(webviewPanel, extensionUri);
    return { panel: AttentionPanel.current, created: true };
  }

  static get open(): AttentionPanel | undefined {
    return AttentionPanel.current;
  }

  private constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
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
    }
  }

  dispose(): void {
    if (AttentionPanel.current === this) AttentionPanel.current = undefined;
    for (const resolve of this.waiting.values()) resolve(undefined);
    this.waiting.clear();
    this.webviewPanel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }
}

function panelHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css'));
  // Nothing remote, no inline code: scripts only by nonce, styles and fonts only from our files.
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data: blob:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
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
<main id="app" aria-live="polite"></main>
<div id="tooltip" role="status" hidden></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
