// Waiting helpers for integration tests: the workbench renders asynchronously, so tests poll
// for the state they expect instead of sleeping for a guessed time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      // Remembered so that a timeout reports why the probe kept failing.
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Switches the colour theme through the user settings (they live in the run's fresh
 * --user-data-dir) and resolves once the workbench reports the new theme kind.
 * Built-in names: 'Default Light Modern', 'Default Dark Modern', 'Default High Contrast',
 * 'Default High Contrast Light'.
 */
export async function setColorTheme(theme: string, kind: vscode.ColorThemeKind): Promise<void> {
  const config = vscode.workspace.getConfiguration('workbench');
  if (config.get('colorTheme') === theme && vscode.window.activeColorTheme.kind === kind) return;
  let listener: vscode.Disposable | undefined;
  const changed = new Promise<void>((resolve) => {
    listener = vscode.window.onDidChangeActiveColorTheme((active) => {
      if (active.kind === kind) resolve();
    });
  });
  try {
    await config.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
    if (vscode.window.activeColorTheme.kind !== kind) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the workbench did not switch to "${theme}" within 15 s`)), 15_000);
        void changed.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  } finally {
    listener?.dispose();
  }
  // Give the workbench and open webviews a moment to repaint with the new colours.
  await delay(500);
}

let scratchFolder: string | undefined;

/**
 * Opens `content` as a file of its own in a scratch folder. Once, in a full run, an untitled
 * document made from five lines of content, opened just after another untitled document was
 * closed, had fewer lines than written ("Illegal value for line"); a file with its own name
 * leaves no room for that.
 */
export async function openScratch(name: string, content: string): Promise<vscode.TextEditor> {
  scratchFolder ??= mkdtempSync(path.join(tmpdir(), 'attention-scratch-'));
  const file = path.join(scratchFolder, name);
  writeFileSync(file, content);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  return vscode.window.showTextDocument(doc);
}
