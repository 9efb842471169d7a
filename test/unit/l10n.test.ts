// Every user-visible string must exist in Simplified Chinese too: a string added in English only
// would silently show English to Chinese users, so the bundles are checked against the sources.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.join(e.parentPath ?? e.path, e.name));
}

/** The first argument of every vscode.l10n.t('…') call, as written in the source. */
function l10nKeys(files: string[]): Set<string> {
  const keys = new Set<string>();
  const call = /l10n\.t\(\s*(['"])((?:\\.|(?!\1).)*)\1/g;
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(call)) {
      keys.add(m[2].replace(/\\(['"\\])/g, '$1'));
    }
  }
  return keys;
}

describe('localization', () => {
  it('finds the strings it checks', () => {
    assert.ok(l10nKeys(sourceFiles('src')).size >= 10);
  });

  it('has a Simplified Chinese translation for every vscode.l10n.t string', () => {
    const bundle = JSON.parse(readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'));
    const missing = [...l10nKeys(sourceFiles('src'))].filter((k) => typeof bundle[k] !== 'string');
    assert.deepEqual(missing, []);
  });

  it('translates every manifest string and keeps placeholders intact', () => {
    const en = JSON.parse(readFileSync(path.join(root, 'package.nls.json'), 'utf8'));
    const zh = JSON.parse(readFileSync(path.join(root, 'package.nls.zh-cn.json'), 'utf8'));
    assert.deepEqual(Object.keys(zh).sort(), Object.keys(en).sort());
    const manifest = readFileSync(path.join(root, 'package.json'), 'utf8');
    for (const m of manifest.matchAll(/"%([^%"]+)%"/g)) assert.ok(m[1] in en, `package.nls.json lacks ${m[1]}`);
    const bundle: Record<string, string> = JSON.parse(readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'));
    for (const [k, v] of Object.entries(bundle)) {
      const placeholders = (s: string) => (s.match(/\{\d+\}/g) ?? []).sort().join();
      assert.equal(placeholders(v), placeholders(k), `placeholders differ in "${k}"`);
    }
  });
});
