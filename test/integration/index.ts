// Entry point that VS Code loads in the extension host (--extensionTestsPath): runs every
// *.test.js beside it with mocha. Files are found by walking the folder, never by a list.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.js'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** Where runIntegration.ts looks for the summary line (test-output/ at the repository root). */
const SUMMARY_FILE = path.resolve(__dirname, '..', '..', '..', 'test-output', 'integration-summary.txt');

function writeSummary(line: string): void {
  mkdirSync(path.dirname(SUMMARY_FILE), { recursive: true });
  writeFileSync(SUMMARY_FILE, `${line}\n`);
}

export function run(): Promise<void> {
  // Output goes through console.log, which the extension host forwards to the runner's stdout;
  // colours would arrive there as escape codes.
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  // ATTENTION_TEST_GREP=pattern runs only the matching tests, for working on one feature.
  const grep = process.env.ATTENTION_TEST_GREP;
  if (grep) mocha.grep(grep);
  const files = testFiles(__dirname);
  for (const file of files) mocha.addFile(file);
  console.log(`Integration tests: ${files.length} file(s) in ${__dirname}`);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        const passed = runner.stats?.passes ?? 0;
        // A plain closing line that CI logs and scripts can read without knowing mocha.
        const summary = `integration: ${passed} passed, ${failures} failed`;
        console.log(summary);
        // The runner prints it again as its very last line, after the host's own shutdown output.
        writeSummary(summary);
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else if (files.length === 0 || passed === 0) reject(new Error('no integration test ran'));
        else resolve();
      });
    } catch (error) {
      // A test file that throws while loading fails the run with its own stack.
      console.error(error);
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}
