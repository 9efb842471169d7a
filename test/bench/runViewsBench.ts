// npm run bench:views — times the explorer's views at N = 2048 tokens and 12 heads inside the
// real VS Code test host (code-server + Chromium), the same way the integration tests run.
// Prints the webview's own timings: first heatmap after the data arrived, all heatmaps, hover,
// switching heads and the model grid.
import { runTests } from '@vscode/test-electron';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..'); // out/test/bench → the repository
export const RESULT_FILE = path.join(root, 'test-output', 'bench-views.txt');

async function main(): Promise<number> {
  const parent = path.join(root, '.vscode-test');
  mkdirSync(parent, { recursive: true });
  const profile = mkdtempSync(path.join(parent, 'bench-views-'));
  const userDataDir = path.join(profile, 'user-data');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ 'git.enabled': false, 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none' }),
  );
  rmSync(RESULT_FILE, { force: true });
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || path.join(root, 'test', 'host', 'code-host.sh'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'bench', 'viewsBench.js'),
      launchArgs: [path.join(root, 'sample'), '--disable-extensions', `--user-data-dir=${userDataDir}`, `--extensions-dir=${path.join(profile, 'extensions')}`],
    });
    rmSync(profile, { recursive: true, force: true });
  } catch (error) {
    console.error(`The views bench failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (existsSync(RESULT_FILE)) console.log(`\n${readFileSync(RESULT_FILE, 'utf8')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
