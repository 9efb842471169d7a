// The webview's handle on its host; acquireVsCodeApi may be called only once per page.
import type { FromWebview } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: FromWebview, transfer?: Transferable[]): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();
