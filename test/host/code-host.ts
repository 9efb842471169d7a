// A stand-in for the VS Code executable that @vscode/test-electron's runTests spawns, for machines
// where the desktop build cannot be downloaded. It serves the real workbench and extension host
// with code-server, opens them in headless Chromium, runs the extension's tests there and exits
// with their result, exactly as `code --extensionTestsPath=…` would.
//
// Environment: ATTENTION_TEST_TIMEOUT_MS (default 600 000) bounds the whole run;
// ATTENTION_TEST_OUTPUT (default <repo>/test-output) receives screenshots and logs.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { parseHostArgs, type HostArgs } from './args';
import { launchBrowser, newPage } from './browser';
import { startCodeServer, tail, type CodeServer } from './codeServer';
import { startControlService, type ControlService } from './control';
import { CONTROL_URL_ENV } from './protocol';

/** out/test/host/code-host.js → repository root. */
const repoRoot = path.resolve(__dirname, '..', '..', '..');
const outputDir = path.resolve(process.env.ATTENTION_TEST_OUTPUT ?? path.join(repoRoot, 'test-output'));
const timeoutMs = Number(process.env.ATTENTION_TEST_TIMEOUT_MS ?? 600_000);

interface Running {
  server?: CodeServer;
  browser?: Browser;
  control?: ControlService;
  scratch?: string;
  logFile?: string;
}

const running: Running = {};
let finishing = false;

function say(message: string): void {
  console.log(`[code-host] ${message}`);
}

/** Tears everything down and exits; only the first call counts. */
async function finish(code: number, reason?: string): Promise<void> {
  if (finishing) return;
  finishing = true;
  if (reason) console.error(`[code-host] ${reason}`);
  // The server goes first and synchronously, so that even a hanging browser close leaves no server.
  running.server?.stop();
  await Promise.race([
    Promise.allSettled([running.browser?.close(), running.control?.close()]),
    new Promise((resolve) => setTimeout(resolve, 5000)),
  ]);
  if (running.scratch) rmSync(running.scratch, { recursive: true, force: true });
  if (code === 0 && running.logFile) rmSync(running.logFile, { force: true });
  else if (running.logFile) console.error(`[code-host] code-server's log: ${running.logFile}`);
  process.exit(code);
}

const SCRATCH_PREFIX = 'attention-code-host-';

/** A run killed outright cannot remove its scratch folder; the next run does, once its process is gone. */
function removeAbandonedScratch(): void {
  for (const entry of readdirSync(os.tmpdir())) {
    const pid = Number(entry.slice(SCRATCH_PREFIX.length).split('-')[0]);
    if (!entry.startsWith(SCRATCH_PREFIX) || !Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(path.join(os.tmpdir(), entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive but someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function remoteUri(origin: string, file: string): string {
  return `vscode-remote://${new URL(origin).host}${file}`;
}

function testUrl(origin: string, args: HostArgs, folder: string): string {
  const payload: [string, string][] = args.extensionDevelopmentPaths.map((p) => ['extensionDevelopmentPath', remoteUri(origin, p)]);
  if (args.extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(origin, args.extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  return `${origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Wires the two hooks through which the workbench reports test output and the final result. */
async function exposeAutomation(page: Page): Promise<void> {
  await page.exposeFunction('codeAutomationLog', (type: string, args: unknown[]) => {
    // The arguments of one console call, printf placeholders (mocha uses "%s %d") still unfilled.
    const line = format(...(Array.isArray(args) ? args : [args]));
    // The marketplace is unreachable offline by design; its stack trace would bury the test output.
    if (line.includes('ENOTFOUND open-vsx.org')) return;
    if (type === 'error' || type === 'warn') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  });
  await page.exposeFunction('codeAutomationExit', (code: number) => {
    say(`extension tests finished with exit code ${code}`);
    void finish(typeof code === 'number' ? code : 1);
  });
}

async function main(): Promise<void> {
  const args = parseHostArgs(process.argv.slice(2));
  if (args.ignored.length) say(`not used by this host: ${args.ignored.join(' ')}`);
  if (args.extensionDevelopmentPaths.length === 0) throw new Error('--extensionDevelopmentPath is required');
  const started = Date.now();
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  removeAbandonedScratch();
  running.scratch = mkdtempSync(path.join(os.tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  const folder = args.folder ?? path.join(running.scratch, 'empty-workspace');
  mkdirSync(folder, { recursive: true });
  // One log per run (runs may go side by side in one checkout); removed when the tests pass.
  const logFile = path.join(outputDir, 'logs', `code-server-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  running.logFile = logFile;

  running.browser = await launchBrowser();
  const page = await newPage(running.browser);
  page.on('pageerror', (error) => say(`page error: ${error.message}`));
  running.control = await startControlService(page, path.join(outputDir, 'screenshots'));
  running.server = await startCodeServer({
    repoRoot,
    folder,
    userDataDir: args.userDataDir ?? path.join(running.scratch, 'user-data'),
    extensionsDir: args.extensionsDir ?? path.join(running.scratch, 'extensions'),
    stateDir: path.join(running.scratch, 'state'),
    logFile,
    env: { [CONTROL_URL_ENV]: running.control.url },
  });
  say(`code-server ready on ${running.server.origin} after ${elapsed()} (log: ${path.relative(repoRoot, logFile)})`);
  void running.server.exited.then((code) => finish(1, `code-server exited unexpectedly (${code}); its log ends:\n${tail(logFile)}`));

  await exposeAutomation(page);
  await page.goto(testUrl(running.server.origin, args, folder), { waitUntil: 'domcontentloaded', timeout: 120_000 });
  say(`workbench loading after ${elapsed()}`);
  if (!args.extensionTestsPath) say('no --extensionTestsPath: the workbench stays open until this process is stopped');
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void finish(130, `stopped by ${signal}`));
}
process.on('uncaughtException', (error) => void finish(1, `crashed: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (error) => void finish(1, `crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));

setTimeout(() => {
  void finish(1, `timed out after ${timeoutMs / 1000} s without a result from the extension tests ` +
    '(set ATTENTION_TEST_TIMEOUT_MS to change the limit)');
}, timeoutMs);

main().catch((error: unknown) => finish(1, `could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
