// The one message protocol between the extension host and the explorer webview.
// Every message has a discriminating `type`; the host checks the shape of everything it receives
// (isFromWebview) before acting on it, because a webview is untrusted content.

/** One computed sequence as it crosses to the webview. Numbers travel as typed arrays. */
export interface SequencePayload {
  /** Display label, e.g. "Selection 1 (line 3)". */
  label: string;
  tokens: string[];
  heads: number;
  n: number;
  weights: Float32Array; // [H][N][N]
}

export interface RenderSettings {
  heads: number;
  dModel: number;
  seed: number;
  mask: string;
  engine: string;
}

/** Localized strings the webview shows; the host fills them with vscode.l10n. */
export interface WebviewStrings {
  head: string;
  query: string;
  key: string;
  weight: string;
  noData: string;
  tokens: string;
  heatmapLabel: string;
}

/** Host → webview: show these sequences (replaces what was shown). */
export interface ShowMessage {
  type: 'show';
  requestId: number;
  sequences: SequencePayload[];
  settings: RenderSettings;
  elapsedMs: number;
}

/** Host → webview: the localized string table, sent in answer to `ready`. */
export interface InitMessage {
  type: 'init';
  strings: WebviewStrings;
}

export type ToWebview = ShowMessage | InitMessage;

/** Webview → host: the script has loaded and can receive messages. */
export interface ReadyMessage {
  type: 'ready';
}

/** Webview → host: a `show` was drawn; counts are read back from what was rendered. */
export interface RenderedMessage {
  type: 'rendered';
  requestId: number;
  sequences: { tokens: number; heads: number; drawnCanvases: number }[];
}

/** Webview → host: something failed while drawing. */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type FromWebview = ReadyMessage | RenderedMessage | ErrorMessage;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** Shape check for untrusted messages from the webview. */
export function isFromWebview(v: unknown): v is FromWebview {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return true;
    case 'error':
      return typeof v.message === 'string' && v.message.length <= 10_000;
    case 'rendered':
      return (
        isCount(v.requestId) &&
        Array.isArray(v.sequences) &&
        v.sequences.length <= 10_000 &&
        v.sequences.every(
          (s: unknown) => isObject(s) && isCount(s.tokens) && isCount(s.heads) && isCount(s.drawnCanvases),
        )
      );
    default:
      return false;
  }
}
