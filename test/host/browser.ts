// Debian's Chromium driven by playwright-core: Playwright's own browser downloads cannot be
// fetched here, and the system build is the same engine that VS Code's webviews run on.
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const VIEWPORT = { width: 1400, height: 900 };

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
    if (found.status === 0 && found.stdout.trim()) return found.stdout.trim();
  }
  throw new Error('no Chromium found: install it with `apt-get install -y chromium fonts-noto-cjk` or set CHROMIUM_PATH');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Gives navigator.gpu a SwiftShader (CPU) adapter, so WebGPU paths run for correctness.
      '--enable-unsafe-webgpu',
    ],
  });
}

export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  return context.newPage();
}

/**
 * Finds the frame that holds a webview's content. VS Code nests it two iframes deep (an outer
 * frame per webview hosting an inner "active-frame"), so frames are searched by what their
 * document contains rather than by position. Only frames with a visible box count: a webview in
 * a background tab keeps its frame but shows nothing.
 */
export async function findWebviewFrame(page: Page, selector: string, title?: string): Promise<FrameSearch> {
  let lastError: string | undefined;
  for (const frame of page.frames()) {
    if (frame === page.mainFrame() || frame.isDetached()) continue;
    try {
      const matches = await frame.evaluate(
        ([sel, wanted]) => document.querySelector(sel) !== null && (wanted === null || document.title.includes(wanted)),
        [selector, title ?? null] as const,
      );
      if (matches && (await frameBox(frame))) return { frame };
    } catch (error) {
      // A frame that navigates or detaches while being asked is not the one; keep the reason in
      // case no frame matches at all.
      lastError = error instanceof Error ? error.message.split('\n')[0] : String(error);
    }
  }
  return { lastError };
}

export interface FrameSearch {
  frame?: Frame;
  lastError?: string;
}

export async function waitForWebviewFrame(page: Page, selector: string, timeoutMs: number, title?: string): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { frame, lastError } = await findWebviewFrame(page, selector, title);
    if (frame) return frame;
    if (Date.now() > deadline) {
      const wanted = title === undefined ? '' : ` titled "${title}"`;
      const cause = lastError ? ` (last frame error: ${lastError})` : '';
      throw new Error(`no visible webview frame${wanted} containing ${selector} appeared within ${timeoutMs} ms${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The frame's visible box in page coordinates, clipped to the viewport; undefined when hidden. */
export async function frameBox(frame: Frame): Promise<Box | undefined> {
  const element = await frame.frameElement();
  const box = await element.boundingBox();
  if (!box) return undefined;
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const width = Math.min(VIEWPORT.width, Math.ceil(box.x + box.width)) - x;
  const height = Math.min(VIEWPORT.height, Math.ceil(box.y + box.height)) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : undefined;
}
