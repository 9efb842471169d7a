// Runs the integration tests inside a real VS Code through @vscode/test-electron's runTests.
// Where a desktop VS Code is given (VSCODE_EXECUTABLE_PATH) it is used as is; otherwise the
// project's offline host (test/host/code-host.sh: code-server in headless Chromium) stands in for
// it, because the desktop download cannot be fetched on machines that reach only npm and Debian.
import { runTests } from '@vscode/test-electron';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { freshProfile } from './host/profile';

/** out/test/runIntegration.js → repository root. */
const root = path.resolve(__dirname, '..', '..');

/** Written by the test module inside the extension host (test/integration/index.ts). */
const SUMMARY_FILE = path.join(root, 'test-output', 'integration-summary.txt');

/**
 * `--vsix`: the suite in test/vsix against the packaged extension. `npm run package` builds the
 * .vsix, which is installed into this run's extensions folder the way a user installs it; the
 * extension under development is then only a declarative stub (test/vsix/driver), so every
 * command the tests run comes from the installed package: its bundles, its WASM files.
 */
const packaged = process.argv.includes('--vsix');

function installPackage(extensionsDir: string, userDataDir: string, desktop: string | undefined): void {
  const run = (command: string, args: string[]): void => {
    const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: false });
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with status ${r.status}`);
  };
  run('npm', ['run', 'package']);
  const vsix = path.join(root, 'attention-explorer.vsix');
  if (desktop) {
    run(desktop, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix]);
  } else {
    run(process.execPath, [path.join(root, 'scripts', 'setup-test-host.mjs')]);
    const codeServer = path.join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
    run(codeServer, ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix]);
  }
}

/**
 * The .ipynb files the Jupyter tests open, written by the Python helper through the fixture
 * script (Debian's python3 and python3-numpy). The 200 MB one is written again only when the
 * script or the helper is newer than it, and not for the packaged run, which opens the small ones.
 */
function writeNotebooks(): void {
  const script = path.join(root, 'scripts', 'fixtures', 'ipynb', 'make_notebooks.py');
  const out = path.join(root, 'test-output', 'ipynb');
  const large = path.join(out, 'large.ipynb');
  const helper = path.join(root, 'python', 'attention_explorer.py');
  const stale = !existsSync(large) || [script, helper].some((f) => statSync(large).mtimeMs < statSync(f).mtimeMs);
  const args = [script, '--out', out, ...(!packaged && stale ? ['--large'] : [])];
  const r = spawnSync('/usr/bin/python3', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    throw new Error(`${args.join(' ')} failed (${r.error?.message ?? `status ${r.status}`}): the Jupyter tests need /usr/bin/python3 with numpy (apt-get install python3 python3-numpy)`);
  }
}

async function main(): Promise<number> {
  const desktop = process.env.VSCODE_EXECUTABLE_PATH;
  const vscodeExecutablePath = desktop || path.join(root, 'test', 'host', 'code-host.sh');
  // A fresh profile each run, so settings a test changes (the colour theme, say) cannot leak into
  // the next run; one folder per run, so runs started side by side do not share one.
  const { dir: profile, userDataDir, extensionsDir } = freshProfile(root, 'integration');

  if (packaged) installPackage(extensionsDir, userDataDir, desktop);
  writeNotebooks();
  rmSync(SUMMARY_FILE, { force: true });
  console.log(`Running integration tests in ${desktop ? `VS Code at ${desktop}` : 'the offline code-server host'}`);
  const started = Date.now();
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: packaged ? path.join(root, 'test', 'vsix', 'driver') : root,
      extensionTestsPath: path.join(root, 'out', 'test', packaged ? 'vsix' : 'integration', 'index.js'),
      launchArgs: [
        path.join(root, 'sample'),
        // The packaged run needs the installed extension; the other run needs no others.
        ...(packaged ? [] : ['--disable-extensions']),
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${extensionsDir}`,
      ],
    });
    rmSync(profile, { recursive: true, force: true });
    return 0;
  } catch (error) {
    console.error(`Integration tests failed: ${error instanceof Error ? error.message : String(error)}`);
    console.error(`The run's VS Code profile is kept in ${path.relative(root, profile)}`);
    return 1;
  } finally {
    console.log(`Integration run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    // The suite's closing line comes last, so a log's final line says what ran.
    const summary = existsSync(SUMMARY_FILE) ? readFileSync(SUMMARY_FILE, 'utf8').trim() : 'integration: 0 passed, 1 failed';
    console.log(summary);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
