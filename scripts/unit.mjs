// Runs the unit tests (bundled to out/test/unit) with mocha and closes with one plain summary
// line, `unit: N passed, N failed`, that any log reader can understand without knowing mocha.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'out', 'test', 'unit');
const files = readdirSync(dir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
  .map((e) => path.join(e.parentPath ?? e.path, e.name))
  .sort();

const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', timeout: 60_000 });
for (const file of files) mocha.addFile(file);
const runner = mocha.run((failures) => {
  const passed = runner.stats?.passes ?? 0;
  console.log(`unit: ${passed} passed, ${failures} failed`);
  process.exitCode = failures > 0 || passed === 0 ? 1 : 0;
});
