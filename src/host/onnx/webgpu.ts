// The host's side of the `onnx-webgpu` engine: what it asks of whoever can run WebGPU (the
// explorer panel), and how it names the reason when the WASM backend had to run instead.
import * as vscode from 'vscode';
import type { OnnxReplyMessage } from '../../shared/protocol';
import type { WebGpuFallbackReason, WebGpuLayerInput } from '../../shared/webgpu';

/** Runs an ONNX graph on WebGPU somewhere that has a browser: the explorer panel. */
export interface WebGpuRunner {
  runOnnxWebGpu(request: WebGpuLayerInput, token: vscode.CancellationToken): Promise<OnnxReplyMessage>;
}

/** Said in the panel's line about what ran, after the backend that ran instead. */
export function webGpuFallbackText(reason: WebGpuFallbackReason, detail?: string): string {
  switch (reason) {
    case 'no-webgpu':
      return vscode.l10n.t('WebGPU unavailable: this webview has no navigator.gpu');
    case 'no-adapter':
      return vscode.l10n.t('WebGPU unavailable: no adapter');
    case 'failed':
      return vscode.l10n.t('WebGPU failed: {0}', detail ?? '?');
    case 'no-panel':
      return vscode.l10n.t('WebGPU runs only in the explorer panel');
  }
}
