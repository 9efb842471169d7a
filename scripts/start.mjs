// `npm start`: serves VS Code (code-server) on 127.0.0.1 with Attention Explorer loaded from this
// checkout and the sample/ workspace open, for trying the extension in a browser. Runs until Ctrl-C.
//
// PORT (default 8080) picks the port; when it is taken, a free one is used instead.
// The extension is linked, not copied, into the server's extensions folder, so after
// `npm run build` a reload of the browser tab picks up the new code.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestHost } from './setup-test-host.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const stateDir = path.join(root, '.vscode-test', 'start');
const extensionsDir = path.join(stateDir, 'extensions');
const userDataDir = path.join(stateDir, 'user-data');
const workspace = path.join(root, 'sample');

function say(message) {
  console.log(`[start] ${message}`);
}

/** Resolves with `port` when it can be bound on loopback, otherwise with a free one. */
function choosePort(port) {
  const listen = (p) =>
    new Promise((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        const bound = server.address().port;
        server.close(() => resolve(bound));
      });
    });
  return listen(port).catch((error) => {
    if (error.code !== 'EADDRINUSE' && error.code !== 'EACCES') throw error;
    say(`port ${port} is taken; using a free one`);
    return listen(0);
  });
}

/**
 * Links this checkout into the extensions folder under the name an installed copy would have.
 * extensions.json is removed so that the server rescans the folder and registers the link.
 */
function linkExtension() {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const id = `${manifest.publisher}.${manifest.name}`;
  mkdirSync(extensionsDir, { recursive: true });
  for (const entry of readdirSync(extensionsDir)) {
    if (entry.startsWith(`${id}-`) || entry === 'extensions.json' || entry === '.obsolete') {
      rmSync(path.join(extensionsDir, entry), { recursive: true, force: true });
    }
  }
  symlinkSync(root, path.join(extensionsDir, `${id}-${manifest.version}`));
  return id;
}

/**
 * First start only: this checkout's git repository sits above sample/, and VS Code would ask about
 * it in a notification on every start. Later edits to the settings are the user's own and kept.
 */
function seedSettings() {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  const settings = { 'git.openRepositoryInParentFolders': 'never', 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off' };
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

async function waitUntilServing(origin, child) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`code-server exited (${child.exitCode ?? child.signalCode})`);
    try {
      if ((await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`code-server did not answer on ${origin} within 120 s`);
}

async function main() {
  const { entry } = ensureTestHost();
  const port = await choosePort(Number(process.env.PORT ?? 8080));
  const id = linkExtension();
  seedSettings();
  // An explicit config keeps code-server from writing one into ~/.config.
  const config = path.join(stateDir, 'config.yaml');
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
    '--extensions-dir', extensionsDir,
    '--user-data-dir', userDataDir,
    workspace,
  ];
  // Its own process group, so that stopping it also stops the extension host it starts.
  const child = spawn(process.execPath, args, { stdio: 'inherit', detached: true });
  const stop = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch (error) {
      if (error.code !== 'ESRCH') throw error;
    }
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      say('stopping code-server');
      stop('SIGTERM');
      setTimeout(() => stop('SIGKILL'), 3000).unref();
    });
  }
  child.on('exit', (code, signal) => process.exit(signal ? 0 : (code ?? 0)));

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(origin, child);
  } catch (error) {
    stop('SIGKILL');
    throw error;
  }
  const url = `${origin}/?folder=${encodeURIComponent(workspace)}`;
  console.log('');
  say(`Attention Explorer (${id}, linked from ${root}) is running in VS Code at:`);
  console.log(`\n    ${url}\n`);
  say('Select a sentence in sample/ and run "Attention: Explore Selection". Ctrl-C stops the server.');
}

main().catch((error) => {
  console.error(`[start] FAILED: ${error?.message ?? error}`);
  process.exit(1);
});
