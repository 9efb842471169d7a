// Reading back what the panel shows, as a person would get it: Export View writes NumPy .npy
// (float32 [layers, heads, N, N]), and these helpers read its numbers.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { readNpy } from '../../../src/shared/npy';

/** Exports the panel's current weights through `attentionExplorer.exportView` and reads them. */
export async function panelWeights(name: string): Promise<Float32Array> {
  const target = vscode.Uri.file(path.join(tmpdir(), `attention-${name}-${process.pid}.npy`));
  const written = await vscode.commands.executeCommand<{ status: string }>('attentionExplorer.exportView', { format: 'npy', uri: target });
  if (written?.status !== 'written') throw new Error(`Export View did not write ${target.fsPath}: ${JSON.stringify(written)}`);
  return readNpy(readFileSync(target.fsPath)).data;
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}
