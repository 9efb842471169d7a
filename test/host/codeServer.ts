// Starts code-server (VS Code's workbench and extension host served over HTTP) for one test run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface CodeServerOptions {
  repoRoot: string;
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  /** Scratch folder for code-server's own config and state, kept out of the user's home. */
  stateDir: string;
  /** code-server's stdout and stderr go here: they are noisy and rarely needed. */
  logFile: string;
  /** Extra environment, inherited by the extension host. */
  env: Record<string, string>;
}

export interface CodeServer {
  port: number;
  origin: string;
  /** Stops code-server and every process it started. Safe to call more than once. */
  stop(): void;
  /** Resolves when code-server exits by itself, with its exit code or signal. */
  exited: Promise<string>;
}

/** Runs the idempotent installer; it prints what it does and only installs the first time. */
export function ensureInstalled(repoRoot: string): string {
  const script = path.join(repoRoot, 'scripts', 'setup-test-host.mjs');
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${script} failed (exit ${result.status ?? result.signal}); see its output above`);
  const marker = path.join(repoRoot, '.vscode-test', 'code-server', 'installed.json');
  const entry = path.join(repoRoot, '.vscode-test', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(marker) || !existsSync(entry)) throw new Error(`code-server is not installed at ${entry}`);
  return entry;
}

/** Asks the kernel for an unused loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const entry = ensureInstalled(options.repoRoot);
  const port = await freePort();
  for (const dir of [options.userDataDir, options.extensionsDir, options.stateDir, path.dirname(options.logFile)]) {
    mkdirSync(dir, { recursive: true });
  }
  // An explicit config file stops code-server from writing a default one into ~/.config.
  const config = path.join(options.stateDir, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const args = [
    entry,
    '--config', config,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--extensions-dir', options.extensionsDir,
    '--user-data-dir', options.userDataDir,
    options.folder,
  ];
  const log = createWriteStream(options.logFile);
  const env = {
    ...process.env,
    ...options.env,
    XDG_CONFIG_HOME: path.join(options.stateDir, 'config'),
    XDG_DATA_HOME: path.join(options.stateDir, 'data'),
  };
  // Its own process group, so that stop() also reaches the extension host and other children.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(String(code ?? signal))));
  const watchdog = startWatchdog(child);
  const origin = `http://127.0.0.1:${port}`;
  const stop = (): void => {
    killGroup(child, 'SIGTERM');
    setTimeout(() => killGroup(child, 'SIGKILL'), 3000).unref();
    killGroup(watchdog, 'SIGKILL');
  };
  try {
    await waitUntilServing(origin, exited, options.logFile);
  } catch (error) {
    stop();
    throw error;
  }
  return { port, origin, stop, exited };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * A harness killed outright (SIGKILL, an OOM kill) cannot clean up after itself, so a tiny shell
 * loop outlives it by at most two seconds and takes code-server's process group down with it.
 */
function startWatchdog(child: ChildProcess): ChildProcess {
  const script = `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${child.pid} 2>/dev/null; do sleep 2; done; kill -KILL -- -${child.pid} 2>/dev/null; exit 0`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return watchdog;
}

/** Polls code-server's health endpoint until it answers, or fails with the tail of its log. */
async function waitUntilServing(origin: string, exited: Promise<string>, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  let exitedWith: string | undefined;
  void exited.then((code) => (exitedWith = code));
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(`code-server exited (${exitedWith}) before serving; its log ${logFile} ends:\n${tail(logFile)}`);
    }
    try {
      const response = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet: keep polling.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer on ${origin} within 120 s; its log ${logFile} ends:\n${tail(logFile)}`);
}

export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(could not read ${file}: ${(error as Error).message})`;
  }
}
