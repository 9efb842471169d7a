// Installs the offline VS Code used by the integration tests and `npm start`: code-server from the
// npm registry, which is VS Code's own workbench and extension host served to a browser. The
// desktop build that @vscode/test-electron would download cannot be fetched on machines that reach
// only the npm registry and Debian's packages, so this builds the equivalent from npm alone.
//
// code-server's own postinstall downloads ripgrep from the internet, so it is skipped
// (--ignore-scripts) and the native modules it needs are rebuilt one by one instead.
//
// Usage: node scripts/setup-test-host.mjs [--force]
// Importable: `import { ensureTestHost } from './setup-test-host.mjs'` returns the install's paths.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// 4.100.3 ships VS Code 1.100.3 and is the newest release that runs on Node 20.
export const CODE_SERVER_VERSION = '4.100.3';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const installDir = path.join(root, '.vscode-test', 'code-server');
const markerFile = path.join(installDir, 'installed.json');
const lockDir = `${installDir}.lock`;
const packageDir = path.join(installDir, 'node_modules', 'code-server');
const vscodeDir = path.join(packageDir, 'lib', 'vscode');

/** Paths of an installed host. */
export function testHostPaths() {
  return {
    installDir,
    packageDir,
    vscodeDir,
    // The entry point is run with the current Node rather than through the .bin shim, so that
    // the harness and the server use the same Node that the native modules were rebuilt for.
    entry: path.join(packageDir, 'out', 'node', 'entry.js'),
    version: CODE_SERVER_VERSION,
  };
}

function log(message) {
  console.log(`[setup-test-host] ${message}`);
}

class SetupError extends Error {}

/**
 * npm run sets variables describing the outer package (npm_package_*, npm_config_local_prefix…);
 * the nested installs must not see them or they would act on this repository instead.
 */
function npmEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_(package_|lifecycle_|config_local_prefix|config_prefix|config_global$)/i.test(key)) delete env[key];
  }
  return env;
}

function run(command, args, cwd) {
  log(`$ ${command} ${args.join(' ')}   (in ${path.relative(root, cwd) || '.'})`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd, env: npmEnv(), stdio: 'inherit' });
  if (result.error) throw new SetupError(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new SetupError(`"${command} ${args.join(' ')}" exited with ${result.status ?? result.signal}`);
  }
  log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function which(name) {
  const result = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function readMarker() {
  try {
    return JSON.parse(readFileSync(markerFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function isInstalled() {
  const marker = readMarker();
  return marker?.version === CODE_SERVER_VERSION && marker?.node === process.versions.modules;
}

/** The Debian ripgrep makes search work inside the test workbench; the bundled one is never fetched. */
function linkRipgrep() {
  const rg = which('rg');
  if (!rg) {
    log('ripgrep not found (apt-get install ripgrep); search inside the workbench will not work');
    return;
  }
  const binDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(binDir, { recursive: true });
  rmSync(path.join(binDir, 'rg'), { force: true });
  symlinkSync(rg, path.join(binDir, 'rg'));
  log(`linked ${rg} as the workbench's ripgrep`);
}

function install() {
  const started = Date.now();
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) log(`warning: code-server ${CODE_SERVER_VERSION} is built for Node 20; this is Node ${process.versions.node}`);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(root, installDir)}`);
  rmSync(installDir, { recursive: true, force: true });
  mkdirSync(installDir, { recursive: true });
  // A package.json of its own keeps npm from walking up into this repository's manifest.
  writeFileSync(path.join(installDir, 'package.json'), '{ "name": "attention-explorer-test-host", "private": true }\n');
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  run('npm', ['install', '--ignore-scripts', ...quiet, '--prefix', installDir, `code-server@${CODE_SERVER_VERSION}`], installDir);
  run('npm', ['rebuild', ...quiet, '--prefix', installDir, 'argon2'], installDir);
  run('npm', ['install', '--omit=dev', '--ignore-scripts', ...quiet], vscodeDir);
  run('npm', ['rebuild', ...quiet, '@vscode/spdlog', 'native-watchdog'], vscodeDir);
  // VS Code's loader looks for node_modules.asar, which only exists in packaged desktop builds.
  rmSync(path.join(vscodeDir, 'node_modules.asar'), { force: true });
  symlinkSync('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  linkRipgrep();
  if (!existsSync(testHostPaths().entry)) throw new SetupError(`install finished but ${testHostPaths().entry} is missing`);
  const seconds = (Date.now() - started) / 1000;
  const marker = { version: CODE_SERVER_VERSION, node: process.versions.modules, seconds, at: new Date().toISOString() };
  writeFileSync(markerFile, `${JSON.stringify(marker, null, 2)}\n`);
  log(`installed in ${seconds.toFixed(1)} s`);
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A lock directory keeps `npm start` and a test run from installing into the same folder at once. */
function withLock(fn) {
  mkdirSync(path.dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than the longest install is left over from a killed run.
      if (Date.now() - statSync(lockDir).mtimeMs > 15 * 60_000) {
        log('removing a stale install lock');
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new SetupError(`another install still holds ${lockDir}`);
      log('another install is running; waiting');
      sleep(5000);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Installs the host unless the marker says this version is already there; returns its paths. */
export function ensureTestHost({ force = false } = {}) {
  if (!force && isInstalled()) return testHostPaths();
  withLock(() => {
    if (force || !isInstalled()) install();
  });
  return testHostPaths();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const already = isInstalled() && !process.argv.includes('--force');
    const paths = ensureTestHost({ force: process.argv.includes('--force') });
    if (already) log(`code-server ${CODE_SERVER_VERSION} already installed in ${path.relative(root, paths.installDir)}`);
  } catch (error) {
    const message = error instanceof SetupError ? error.message : (error?.stack ?? String(error));
    console.error(`[setup-test-host] FAILED: ${message}`);
    console.error('[setup-test-host] The test host needs the npm registry, a C++ toolchain (make, g++, python3) for');
    console.error('[setup-test-host] native modules, and Node 20. Re-run with --force to start from scratch.');
    process.exit(1);
  }
}
