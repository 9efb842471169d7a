// Reads the command line that @vscode/test-electron's runTests gives a VS Code executable.
import path from 'node:path';

export interface HostArgs {
  extensionDevelopmentPaths: string[];
  extensionTestsPath: string | undefined;
  userDataDir: string | undefined;
  extensionsDir: string | undefined;
  /** The folder to open, the first positional argument. */
  folder: string | undefined;
  /** Flags this host accepts but has no use for, reported once so nothing passes silently. */
  ignored: string[];
}

/** Options that take a value, in either `--name=value` or `--name value` form. */
const VALUED = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);

export function parseHostArgs(argv: readonly string[]): HostArgs {
  const parsed: HostArgs = {
    extensionDevelopmentPaths: [],
    extensionTestsPath: undefined,
    userDataDir: undefined,
    extensionsDir: undefined,
    folder: undefined,
    ignored: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      if (parsed.folder === undefined) parsed.folder = path.resolve(arg);
      else parsed.ignored.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!VALUED.has(name)) {
      parsed.ignored.push(arg);
      continue;
    }
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`${arg} needs a value`);
    assign(parsed, name, path.resolve(value));
  }
  return parsed;
}

function assign(parsed: HostArgs, name: string, value: string): void {
  switch (name) {
    case 'extensionDevelopmentPath':
      parsed.extensionDevelopmentPaths.push(value);
      break;
    case 'extensionTestsPath':
      parsed.extensionTestsPath = value;
      break;
    case 'user-data-dir':
      parsed.userDataDir = value;
      break;
    case 'extensions-dir':
      parsed.extensionsDir = value;
      break;
  }
}
