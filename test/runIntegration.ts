// Runs the integration tests inside a real VS Code through @vscode/test-electron's runTests.
// Where a desktop VS Code is given (VSCODE_EXECUTABLE_PATH) it is used as is; otherwise the
// project's offline host (test/host/code-host.sh: code-server in headless Chromium) stands in for
// it, because the desktop download cannot be fetched on machines that reach only npm and Debian.
import { runTests } from '@vscode/test-electron';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** out/test/runIntegration.js → repository root. */
const root = path.resolve(__dirname, '..', '..');

/**
 * User settings that keep prompts and tours out of the way of screenshots and focus: a
 * notification covering the editor (the git prompt about this repository, say) would otherwise
 * show up in every picture and can steal keyboard focus.
 */
const QUIET_SETTINGS = {
  'git.openRepositoryInParentFolders': 'never',
  'git.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
};

async function main(): Promise<number> {
  const desktop = process.env.VSCODE_EXECUTABLE_PATH;
  const vscodeExecutablePath = desktop || path.join(root, 'test', 'host', 'code-host.sh');
  // Fresh profile folders each run: settings a test changes (the colour theme, say) must not leak
  // into the next run.
  const profile = path.join(root, '.vscode-test', 'integration');
  rmSync(profile, { recursive: true, force: true });
  const userDataDir = path.join(profile, 'user-data');
  const extensionsDir = path.join(profile, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(QUIET_SETTINGS, null, 2)}\n`);

  console.log(`Running integration tests in ${desktop ? `VS Code at ${desktop}` : 'the offline code-server host'}`);
  const started = Date.now();
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [
        path.join(root, 'sample'),
        '--disable-extensions',
        `--user-data-dir=${userDataDir}`,
        `--extensions-dir=${extensionsDir}`,
      ],
    });
    return 0;
  } catch (error) {
    console.error(`Integration tests failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    console.log(`Integration run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
