// `notebook check FILE…` and `notebook resave FILE`: .attnb files read and written by the very
// functions the extension's NotebookSerializer calls (src/notebookFile/format.ts), so that what
// passes here opens in VS Code and what is written here is what saving there writes.

import { readFileSync } from 'node:fs';
import { NotebookFormatError } from '../shared/notebookFormat';
import { OriginalBytes, readNotebookBytes, writeNotebookBytes, type PlainNotebook } from '../notebookFile/format';
import { EXIT_INPUT, UsageError } from './errors';
import { writeAll, writeAtomic } from './io';

/** One problem with one file, as `FILE:LINE:COLUMN: problem`. */
function problemLine(file: string, e: NotebookFormatError): string {
  const { line, column } = e.position ?? { line: 1, column: 1 };
  // A path names the field at fault; a syntax error's place is the line and column already.
  const problem = e.path ? `${e.where}: ${e.problem}` : e.problem;
  return `${file}:${line}:${column}: ${problem}`;
}

type Opened = { notebook: PlainNotebook; originals: OriginalBytes } | { problem: string };

/** Reads and opens one file as VS Code would; a file that cannot be read is a problem at 1:1. */
function open(file: string): Opened {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { problem: `${file}:1:1: cannot read the file: ${reason}` };
  }
  const originals = new OriginalBytes();
  try {
    return { notebook: readNotebookBytes(bytes, originals), originals };
  } catch (e) {
    if (e instanceof NotebookFormatError) return { problem: problemLine(file, e) };
    throw e;
  }
}

/** Exit status 0 when every file opens, else 1 and one line per file that does not. */
export function notebookCheck(files: string[]): void {
  if (files.length === 0) throw new UsageError('notebook check needs at least one FILE');
  let bad = 0;
  for (const file of files) {
    const opened = open(file);
    if ('problem' in opened) {
      bad++;
      process.stdout.write(`${opened.problem}\n`);
    }
  }
  if (bad > 0) process.exitCode = EXIT_INPUT;
}

/** Writes what saving the file unchanged in VS Code writes: its own bytes, or the canonical ones. */
export function notebookResave(file: string, out: string | undefined): void {
  const opened = open(file);
  if ('problem' in opened) {
    process.stderr.write(`attention-explorer: ${opened.problem}\n`);
    process.exitCode = EXIT_INPUT;
    return;
  }
  const bytes = writeNotebookBytes(opened.notebook, opened.originals);
  if (out === undefined) {
    process.stdout.write(bytes);
    return;
  }
  // Through a temporary file renamed into place, like every file the command line writes.
  writeAtomic(out, (fd) => writeAll(fd, bytes));
}
