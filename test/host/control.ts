// The loopback control service: tests running inside the extension host cannot reach the browser
// that renders the workbench, so they ask the harness, which drives it with Playwright.
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { findWebviewFrame, frameBox, waitForWebviewFrame, type Box } from './browser';
import { pixelStats } from './pixels';
import {
  DEFAULT_WEBVIEW_SELECTOR,
  type Endpoints,
  type KeyboardRequest,
  type MouseRequest,
  type ScreenshotReply,
  type ScreenshotRequest,
  type WebviewBoxReply,
  type WebviewBoxRequest,
  type WebviewEvalReply,
  type WebviewEvalRequest,
  type WorkbenchClickRequest,
  type WorkbenchTextReply,
  type WorkbenchTextRequest,
} from './protocol';

export interface ControlService {
  url: string;
  close(): Promise<void>;
}

type Handler = (page: Page, body: unknown, screenshotDir: string) => Promise<unknown>;

/** Errors the caller made, answered with 400 rather than 500. */
class BadRequest extends Error {}

const handlers: { [P in keyof Endpoints]: Handler } = {
  '/screenshot': (page, body, dir) => screenshot(page, body as ScreenshotRequest, dir),
  '/webviewEval': (page, body) => webviewEval(page, body as WebviewEvalRequest),
  '/webviewBox': (page, body) => webviewBox(page, body as WebviewBoxRequest),
  '/mouse': (page, body) => mouse(page, body as MouseRequest),
  '/keyboard': (page, body) => keyboard(page, body as KeyboardRequest),
  '/workbenchText': (page, body) => workbenchText(page, body as WorkbenchTextRequest),
  '/workbenchClick': (page, body) => workbenchClick(page, body as WorkbenchClickRequest),
};

/** Text of the workbench's own elements (notifications, status bar), for what a person reads there. */
async function workbenchText(page: Page, request: WorkbenchTextRequest): Promise<WorkbenchTextReply> {
  if (typeof request.selector !== 'string') throw new BadRequest('workbenchText needs a "selector" string');
  const matches = page.locator(request.selector);
  const texts: string[] = [];
  for (const element of await matches.all()) {
    if (await element.isVisible()) texts.push(await element.innerText());
  }
  return { texts };
}

/** Clicks a workbench element (a notification's button, say) with the real mouse. */
async function workbenchClick(page: Page, request: WorkbenchClickRequest): Promise<Record<string, never>> {
  if (typeof request.selector !== 'string') throw new BadRequest('workbenchClick needs a "selector" string');
  const target = page.locator(request.selector, request.text ? { hasText: request.text } : {}).first();
  await target.click({ timeout: request.timeoutMs ?? 10_000 });
  return {};
}

export function startControlService(page: Page, screenshotDir: string): Promise<ControlService> {
  const server = http.createServer((request, response) => {
    void handle(page, screenshotDir, request, response);
  });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) return reject(new Error('control service has no address'));
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

async function handle(page: Page, dir: string, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const handler = request.method === 'POST' ? handlers[request.url as keyof Endpoints] : undefined;
  if (!handler) return reply(404, { error: `no endpoint ${request.method} ${request.url}; POST one of ${Object.keys(handlers).join(', ')}` });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      throw new BadRequest('the request body is not JSON');
    }
    reply(200, (await handler(page, body, dir)) ?? {});
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    reply(error instanceof BadRequest ? 400 : 500, { error: message });
  }
}

async function screenshot(page: Page, request: ScreenshotRequest, dir: string): Promise<ScreenshotReply> {
  if (typeof request.name !== 'string' || !/^[\w.-]+$/.test(request.name)) {
    throw new BadRequest(`screenshot name must be letters, digits, "-", "_" or "."; got ${JSON.stringify(request.name)}`);
  }
  mkdirSync(dir, { recursive: true });
  // One capture serves both files, so the workbench and webview images show the same moment.
  const png = await page.screenshot({ animations: 'disabled' });
  const workbench = path.join(dir, `${request.name}.png`);
  writeFileSync(workbench, png);
  const reply: ScreenshotReply = { workbench, workbenchStats: pixelStats(png) };
  const { frame } = await findWebviewFrame(page, request.selector ?? DEFAULT_WEBVIEW_SELECTOR, request.frameTitle);
  const box = frame && (await frameBox(frame));
  if (box) {
    const cropped = crop(png, box);
    reply.webview = path.join(dir, `${request.name}-webview.png`);
    writeFileSync(reply.webview, cropped);
    reply.webviewStats = pixelStats(cropped);
  }
  return reply;
}

function crop(png: Buffer, box: Box): Buffer {
  const source = PNG.sync.read(png);
  const target = new PNG({ width: box.width, height: box.height });
  PNG.bitblt(source, target, box.x, box.y, box.width, box.height, 0, 0);
  return PNG.sync.write(target);
}

async function webviewEval(page: Page, request: WebviewEvalRequest): Promise<WebviewEvalReply> {
  if (typeof request.expression !== 'string') throw new BadRequest('webviewEval needs an "expression" string');
  const frame = await waitForWebviewFrame(page, request.selector ?? DEFAULT_WEBVIEW_SELECTOR, request.timeoutMs ?? 10_000);
  // A string is evaluated as an expression; promises are awaited and the value is serialised.
  const value: unknown = await frame.evaluate(request.expression);
  return { value: value === undefined ? null : value };
}

async function webviewBox(page: Page, request: WebviewBoxRequest): Promise<WebviewBoxReply> {
  const frame = await waitForWebviewFrame(page, request.selector ?? DEFAULT_WEBVIEW_SELECTOR, request.timeoutMs ?? 10_000);
  const box = await frameBox(frame);
  if (!box) throw new Error('the webview frame was hidden before its box could be read');
  return box;
}

async function mouse(page: Page, request: MouseRequest): Promise<Record<string, never>> {
  if (!Number.isFinite(request.x) || !Number.isFinite(request.y)) throw new BadRequest('mouse needs numeric x and y');
  switch (request.action) {
    case 'move':
      await page.mouse.move(request.x, request.y);
      break;
    case 'click':
      await page.mouse.click(request.x, request.y);
      break;
    default:
      throw new BadRequest(`mouse action must be "move" or "click", got ${JSON.stringify(request.action)}`);
  }
  return {};
}

async function keyboard(page: Page, request: KeyboardRequest): Promise<Record<string, never>> {
  if (typeof request.press !== 'string' || !request.press) throw new BadRequest('keyboard needs a "press" key');
  await page.keyboard.press(request.press);
  return {};
}
