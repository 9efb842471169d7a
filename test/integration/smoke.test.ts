// Proves the integration pipe end to end: a real VS Code, the sample workspace, screenshots with
// real pixels. Independent of the extension's own features.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clickInWebview, hasTestHost, hoverInWebview, pressKey, screenshot, webviewEval } from './support/host';
import { delay, setColorTheme, waitFor } from './support/wait';

describe('integration host', () => {
  it('runs a real VS Code with the sample workspace open', async () => {
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const files = await vscode.workspace.findFiles('sentences.txt');
    assert.equal(files.length, 1, 'sample/sentences.txt is in the workspace');
    const document = await vscode.workspace.openTextDocument(files[0]);
    assert.equal(document.lineAt(0).text, '我喜欢吃苹果');
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 0, 0, document.lineAt(0).text.length);
    assert.equal(document.getText(editor.selection), '我喜欢吃苹果');
  });

  it('takes screenshots with real pixels in dark and light themes', async function () {
    if (!hasTestHost()) this.skip();
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
    const dark = await waitFor('a rendered workbench', async () => {
      const shot = await screenshot('smoke-dark');
      return shot.workbenchStats.distinctColours > 50 && shot;
    });
    assert.ok(dark.workbenchStats.nonBackgroundFraction > 0.01, JSON.stringify(dark.workbenchStats));

    await setColorTheme('Default Light Modern', vscode.ColorThemeKind.Light);
    const light = await screenshot('smoke-light');
    const luminance = (hex: string): number => {
      const n = parseInt(hex.slice(1), 16);
      return 0.2126 * (n >> 16) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255);
    };
    assert.ok(luminance(light.workbenchStats.dominantColour) > luminance(dark.workbenchStats.dominantColour) + 100,
      `light background ${light.workbenchStats.dominantColour} vs dark ${dark.workbenchStats.dominantColour}`);
    await setColorTheme('Default Dark Modern', vscode.ColorThemeKind.Dark);
  });

  it('reaches into a webview: pixels, DOM, real mouse and keyboard', async function () {
    if (!hasTestHost()) this.skip();
    const selector = '#host-selftest';
    const panel = vscode.window.createWebviewPanel('attentionExplorer.hostSelfTest', 'Host self-test', vscode.ViewColumn.Beside, {
      enableScripts: true,
    });
    try {
      panel.webview.html = SELF_TEST_HTML;
      const ready = await webviewEval<boolean>('document.body.dataset.drawn === "yes"', { selector, timeoutMs: 20_000 });
      assert.equal(ready, true);
      const shot = await screenshot('smoke-webview', { selector });
      assert.ok(shot.webview && shot.webviewStats, 'the webview was found and cropped');
      assert.ok(shot.webviewStats.distinctColours > 20, JSON.stringify(shot.webviewStats));
      assert.ok(shot.webviewStats.nonBackgroundFraction > 0.05, JSON.stringify(shot.webviewStats));

      await hoverInWebview('#target', { selector });
      await waitFor('the hover to arrive', () => webviewEval<boolean>('document.body.dataset.hovered === "yes"', { selector }));
      await clickInWebview('#target', { selector });
      await waitFor('the click to arrive', () => webviewEval<boolean>('document.body.dataset.clicked === "yes"', { selector }));
      await pressKey('ArrowRight');
      await waitFor('the key to arrive', () => webviewEval<boolean>('document.body.dataset.key === "ArrowRight"', { selector }));
    } finally {
      panel.dispose();
      await delay(200);
    }
  });
});

/** A webview of the test's own: a drawn gradient and a button that records what reaches it. */
const SELF_TEST_HTML = `<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>Host self-test</title></head>
<body>
<div id="host-selftest">
  <canvas id="canvas" width="320" height="200"></canvas>
  <button id="target" style="display:block;width:160px;height:40px">target</button>
</div>
<script>
  const ctx = document.getElementById('canvas').getContext('2d');
  for (let i = 0; i < 32; i++) for (let j = 0; j < 20; j++) {
    ctx.fillStyle = 'hsl(' + (i * 11) + ', 80%, ' + (30 + j * 2) + '%)';
    ctx.fillRect(i * 10, j * 10, 10, 10);
  }
  document.body.dataset.drawn = 'yes';
  const target = document.getElementById('target');
  target.addEventListener('mousemove', () => { document.body.dataset.hovered = 'yes'; });
  target.addEventListener('click', () => { document.body.dataset.clicked = 'yes'; });
  target.addEventListener('keydown', (event) => { document.body.dataset.key = event.key; });
</script>
</body></html>`;
