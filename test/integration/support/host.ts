// Lets integration tests, which run in the extension host, drive the browser that renders the
// workbench. The offline host (test/host) serves a loopback control service and passes its URL
// in ATTENTION_TEST_HOST_URL; under a desktop VS Code there is none and hasTestHost() is false,
// so tests that need pixels should `this.skip()` there.
//
// Endpoints (POST, JSON body, JSON reply; non-2xx replies are { error }):
//   /screenshot  { name, frameTitle?, selector? } → { workbench, workbenchStats, webview?, webviewStats? }
//       Saves test-output/screenshots/NAME.png (the whole 1400×900 workbench) and, when a webview
//       whose content frame contains `selector` (default "#app") is visible, NAME-webview.png
//       cropped to it. frameTitle picks the webview whose document.title contains it. Stats: width, height, distinctColours,
//       dominantColour (#rrggbb, the background), nonBackgroundFraction (0…1).
//   /webviewEval { expression, selector?, timeoutMs? } → { value }
//       Evaluates a JavaScript expression (promises awaited) in the webview content frame that
//       contains `selector` (default "#app"), waiting up to timeoutMs (default 10 s) for it.
//       The value comes back through JSON; undefined becomes null.
//   /webviewBox  { selector?, timeoutMs? }    → { x, y, width, height } of that frame on the page.
//   /mouse       { action: "move"|"click", x, y }  page coordinates in CSS pixels.
//   /workbenchText  { selector }            → { texts } innerText of visible matches in the workbench page.
//   /workbenchClick { selector, text?, timeoutMs? }  clicks the first match (containing text) there.
//   /keyboard    { press }                    a key or chord in Playwright notation ("Escape",
//                                             "ArrowRight", "Control+Shift+P") to the focused element.
import * as vscode from 'vscode';
import {
  CONTROL_URL_ENV,
  type Endpoints,
  type ErrorReply,
  type ScreenshotReply,
  type WebviewBoxReply,
} from '../../host/protocol';

export type { PixelStats, ScreenshotReply, WebviewBoxReply } from '../../host/protocol';

/** True when the tests run in the offline host and the endpoints below can be used. */
export function hasTestHost(): boolean {
  return Boolean(process.env[CONTROL_URL_ENV]);
}

async function call<P extends keyof Endpoints>(endpoint: P, body: Endpoints[P][0]): Promise<Endpoints[P][1]> {
  const base = process.env[CONTROL_URL_ENV];
  if (!base) throw new Error(`${CONTROL_URL_ENV} is not set: these helpers need the offline test host (npm run test:integration)`);
  const response = await fetch(`${base}${endpoint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const reply = (await response.json()) as Endpoints[P][1] | ErrorReply;
  if (!response.ok) throw new Error(`test host ${endpoint} failed: ${(reply as ErrorReply).error}`);
  return reply as Endpoints[P][1];
}

/** Screenshot of the workbench (and of the visible webview) with pixel statistics. */
export function screenshot(name: string, options: { frameTitle?: string; selector?: string } = {}): Promise<ScreenshotReply> {
  return call('/screenshot', { name, ...options });
}

/** Evaluates `expression` in the webview content frame containing `selector` (default "#app"). */
export async function webviewEval<T = unknown>(
  expression: string,
  options: { selector?: string; timeoutMs?: number } = {},
): Promise<T> {
  return (await call('/webviewEval', { expression, ...options })).value as T;
}

/** Where the webview content frame is on the page. */
export function webviewBox(options: { selector?: string; timeoutMs?: number } = {}): Promise<WebviewBoxReply> {
  return call('/webviewBox', options);
}

export async function mouseMove(x: number, y: number): Promise<void> {
  await call('/mouse', { action: 'move', x, y });
}

export async function mouseClick(x: number, y: number): Promise<void> {
  await call('/mouse', { action: 'click', x, y });
}

/** Presses a key or chord, e.g. "ArrowRight" or "Control+Shift+P", in whatever has focus. */
export async function pressKey(press: string): Promise<void> {
  await call('/keyboard', { press });
}

/**
 * Page coordinates of the centre of the first element matching `elementSelector` inside the
 * webview, so that real mouse events (hover, click) can be sent to it.
 */
export async function webviewElementCentre(
  elementSelector: string,
  options: { selector?: string; timeoutMs?: number } = {},
): Promise<{ x: number; y: number }> {
  const box = await webviewBox(options);
  const rect = await webviewEval<{ x: number; y: number } | null>(
    `(() => { const e = document.querySelector(${JSON.stringify(elementSelector)}); if (!e) return null;
      const r = e.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()`,
    options,
  );
  if (!rect) throw new Error(`no element ${elementSelector} in the webview`);
  return { x: box.x + rect.x, y: box.y + rect.y };
}

/** Moves the real mouse over an element of the webview (fires pointer and mouse events). */
export async function hoverInWebview(elementSelector: string, options: { selector?: string } = {}): Promise<void> {
  const { x, y } = await webviewElementCentre(elementSelector, options);
  await mouseMove(x, y);
}

/** Clicks an element of the webview with the real mouse. */
export async function clickInWebview(elementSelector: string, options: { selector?: string } = {}): Promise<void> {
  const { x, y } = await webviewElementCentre(elementSelector, options);
  await mouseClick(x, y);
}

/** innerText of the visible workbench elements matching `selector` (notifications, status bar). */
export async function workbenchText(selector: string): Promise<string[]> {
  return (await call('/workbenchText', { selector })).texts;
}

/** Clicks the first workbench element matching `selector` whose text contains `text`. */
export async function workbenchClick(selector: string, text?: string, timeoutMs?: number): Promise<void> {
  await call('/workbenchClick', { selector, text, timeoutMs });
}

/**
 * Waits until VS Code's notification list holds a message matching `pattern`. Toasts hide
 * themselves after a while and when others arrive; the list keeps every message.
 */
export async function waitForNotification(pattern: RegExp): Promise<void> {
  await vscode.commands.executeCommand('notifications.showList');
  try {
    const deadline = Date.now() + 15_000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      seen = await workbenchText('.notifications-list-container .notification-list-item');
      if (seen.some((t) => pattern.test(t))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no notification matching ${pattern}; the list holds ${JSON.stringify(seen)}`);
  } finally {
    await vscode.commands.executeCommand('notifications.hideList');
  }
}
