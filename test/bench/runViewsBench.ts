// npm run bench:views — times the explorer's views at N = 2048 tokens and 12 heads inside the
// real VS Code test host (code-server + Chromium), the same way the integration tests run.
// Prints the webview's own timings: first heatmap after the data arrived, all heatmaps, hover,
// switching heads and the model grid.
import { runTests } from '@vscode/test-electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freshProfile } from '../host/profile';

const root = path.resolve(__dirname, '..', '..', '..'); // out/test/bench → the repository
export const RESULT_FILE = path.join(root, 'test-output', 'bench-views.txt');

async function main(): Promise<number> {
  const { dir: profile, userDataDir, extensionsDir } = freshProfile(root, 'bench-views');
  rmSync(RESULT_FILE, { force: true });
  try {
    await runTests({
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || path.join(root, 'test', 'host', 'code-host.sh'),
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'out', 'test', 'bench', 'viewsBench.js'),
      launchArgs: [path.join(root, 'sample'), '--disable-extensions', `--user-data-dir=${userDataDir}`, `--extensions-dir=${extensionsDir}`],
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
