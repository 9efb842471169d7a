// A fresh VS Code profile (user data and extensions folders) under .vscode-test for one run of the
// test host, so that settings one run changes (the colour theme, say) cannot leak into the next,
// and runs started side by side do not share one.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

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

export interface Profile {
  /** The run's folder; remove it when the run went well. */
  dir: string;
  userDataDir: string;
  extensionsDir: string;
}

/** Makes a profile folder `<prefix>-…` with the quiet settings, and clears those of the same prefix that runs killed over a day ago left behind. */
export function freshProfile(root: string, prefix: string): Profile {
  const parent = path.join(root, '.vscode-test');
  mkdirSync(parent, { recursive: true });
  for (const entry of readdirSync(parent)) {
    const old = path.join(parent, entry);
    if (entry.startsWith(`${prefix}-`) && Date.now() - statSync(old).mtimeMs > 24 * 3600_000) {
      rmSync(old, { recursive: true, force: true });
    }
  }
  const dir = mkdtempSync(path.join(parent, `${prefix}-`));
  const userDataDir = path.join(dir, 'user-data');
  const extensionsDir = path.join(dir, 'extensions');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), `${JSON.stringify(QUIET_SETTINGS, null, 2)}\n`);
  return { dir, userDataDir, extensionsDir };
}
