// Proves the integration pipe end to end: a real VS Code, the sample workspace, screenshots with
// real pixels. Independent of the extension's own features.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hasTestHost, screenshot } from './support/host';
import { setColorTheme, waitFor } from './support/wait';

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
});
