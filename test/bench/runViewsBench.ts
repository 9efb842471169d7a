// npm run bench:views — explores long sequences and a 12-layer model inside the real VS Code test
// host (code-server + Chromium), the same way the integration tests run, and prints what a person
// waits for: command to first heatmap, the engine alone, host memory, hover, pan and zoom.
// `-- --json` prints one JSON object per case instead:
// {"case", "n", "layers", "heads", "compute_ms", "first_heatmap_ms", "end_to_end_ms", "host_rss_mb"}.
import { runTests } from '@vscode/test-electron';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { freshProfile } from '../host/profile';

const root = path.resolve(__dirname, '..', '..', '..'); // out/test/bench → the repository
export const RESULT_FILE = path.join(root, 'test-output', 'bench-views.txt');
const JSON_FILE = path.join(root, 'test-output', 'bench-views.jsonl');

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const { dir: profile, userDataDir, extensionsDir } = freshProfile(root, 'bench-views');
  rmSync(RESULT_FILE, { force: true });
  rmSync(JSON_FILE, { force: true });
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
  const file = json ? JSON_FILE : RESULT_FILE;
  if (!existsSync(file)) {
    console.error(`The views bench wrote no ${path.basename(file)}`);
    return 1;
  }
  process.stdout.write(`${json ? '' : '\n'}${readFileSync(file, 'utf8')}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
