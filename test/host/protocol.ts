// The control service's requests and replies, shared by the harness (test/host) that serves them
// and the helpers (test/integration/support) that tests call from inside the extension host.

/** Environment variable through which the extension host learns the control service's URL. */
export const CONTROL_URL_ENV = 'ATTENTION_TEST_HOST_URL';

/** Selector that marks the frame holding the extension's webview content. */
export const DEFAULT_WEBVIEW_SELECTOR = '#app';

/** Pixel statistics of one region of a screenshot. */
export interface PixelStats {
  width: number;
  height: number;
  /** Number of distinct RGB colours in the region. */
  distinctColours: number;
  /** The most frequent colour, as #rrggbb: normally the background. */
  dominantColour: string;
  /** Fraction (0…1) of pixels whose colour differs from the dominant one by more than a small tolerance. */
  nonBackgroundFraction: number;
}

export interface ScreenshotRequest {
  /** File name without extension; letters, digits, '-', '_' and '.' only. */
  name: string;
  /** Picks the webview whose document.title contains this text when several are open. */
  frameTitle?: string;
  /** CSS selector that identifies the webview's content frame; defaults to DEFAULT_WEBVIEW_SELECTOR. */
  selector?: string;
}

export interface ScreenshotReply {
  /** Absolute path of the whole-workbench PNG. */
  workbench: string;
  /** Absolute path of the webview PNG, when a webview is visible. */
  webview?: string;
  /** Statistics of the whole workbench. */
  workbenchStats: PixelStats;
  /** Statistics of the webview's content area, when a webview is visible. */
  webviewStats?: PixelStats;
}

export interface WebviewEvalRequest {
  /** JavaScript expression evaluated in the webview's content frame; may return a promise. */
  expression: string;
  /** CSS selector that identifies the content frame; defaults to DEFAULT_WEBVIEW_SELECTOR. */
  selector?: string;
  /** How long to wait for such a frame to appear, in milliseconds (default 10 000). */
  timeoutMs?: number;
}

export interface WebviewEvalReply {
  /** The expression's value, after a JSON round trip. */
  value: unknown;
}

export interface MouseRequest {
  action: 'move' | 'click';
  /** Page coordinates in CSS pixels (the workbench page, not the webview). */
  x: number;
  y: number;
}

export interface KeyboardRequest {
  /** A key or chord in Playwright's notation, e.g. "Escape", "ArrowRight", "Control+Shift+P". */
  press: string;
}

export interface WebviewBoxRequest {
  selector?: string;
  timeoutMs?: number;
}

/** Where the webview's content frame sits on the page, in page coordinates. */
export interface WebviewBoxReply {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WorkbenchTextRequest {
  /** CSS selector in the workbench page itself (not a webview), e.g. ".notification-toast". */
  selector: string;
}

export interface WorkbenchTextReply {
  /** innerText of every visible match, in document order. */
  texts: string[];
}

export interface WorkbenchClickRequest {
  /** CSS selector in the workbench page, e.g. ".notification-toast .monaco-button". */
  selector: string;
  /** Only elements whose text contains this. */
  text?: string;
  /** How long to wait for such an element (default 10 000 ms). */
  timeoutMs?: number;
}

/** Every endpoint: request body and reply body by path. */
export interface Endpoints {
  '/screenshot': [ScreenshotRequest, ScreenshotReply];
  '/webviewEval': [WebviewEvalRequest, WebviewEvalReply];
  '/webviewBox': [WebviewBoxRequest, WebviewBoxReply];
  '/mouse': [MouseRequest, Record<string, never>];
  '/keyboard': [KeyboardRequest, Record<string, never>];
  '/workbenchText': [WorkbenchTextRequest, WorkbenchTextReply];
  '/workbenchClick': [WorkbenchClickRequest, Record<string, never>];
}

/** Body of any non-2xx reply. */
export interface ErrorReply {
  error: string;
}
