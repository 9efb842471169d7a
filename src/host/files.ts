// Files the extension writes (exports, the ONNX export) appear whole or not at all: the bytes go to
// a temporary file beside the target, which is renamed over it once written. A write that fails
// half-way (a full disk, a quota) leaves the old file, or nothing, and removes its temporary file.
import * as vscode from 'vscode';

export async function writeFileAtomically(target: vscode.Uri, bytes: Uint8Array): Promise<void> {
  // A rename with overwrite would replace a folder, contents and all: only a file is ever replaced.
  const existing = await vscode.workspace.fs.stat(target).then((s) => s, () => undefined);
  if (existing && existing.type & vscode.FileType.Directory) {
    throw vscode.FileSystemError.FileIsADirectory(target);
  }
  const name = target.path.slice(target.path.lastIndexOf('/') + 1);
  const temporary = vscode.Uri.joinPath(target, '..', `.${name}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    await vscode.workspace.fs.writeFile(temporary, bytes);
    await vscode.workspace.fs.rename(temporary, target, { overwrite: true });
  } catch (e) {
    await vscode.workspace.fs.delete(temporary).then(undefined, () => undefined); // it may never have been made
    throw e;
  }
}

/** `file` (a relative path) in the folder holding `beside`. */
export function besideUri(beside: vscode.Uri, file: string): vscode.Uri {
  return vscode.Uri.joinPath(beside, '..', ...file.split(/[\\/]/));
}

/** Reads `file` (a relative path) from the folder holding `beside`; undefined when it cannot be read. */
export async function readBeside(beside: vscode.Uri, file: string): Promise<Uint8Array | undefined> {
  return Promise.resolve(vscode.workspace.fs.readFile(besideUri(beside, file))).then((b) => b, () => undefined);
}
