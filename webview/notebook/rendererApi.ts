// The part of VS Code's notebook renderer API this renderer uses (the contract of
// contributes.notebookRenderer entrypoints with ESM exports), typed here rather than pulled in as
// a package for five members.

export interface OutputItem {
  readonly id: string;
  readonly mime: string;
  metadata?: unknown;
  data(): Uint8Array;
  text(): string;
  json(): unknown;
}

export interface RendererContext<TState = unknown> {
  getState(): TState | undefined;
  setState(state: TState): void;
  /** Present when the manifest asks for messaging and an extension host is there to answer. */
  postMessage?(message: unknown): void;
  onDidReceiveMessage?(listener: (message: unknown) => void): { dispose(): void };
}

export interface RendererApi {
  renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal): void | Promise<void>;
  disposeOutputItem?(id?: string): void;
}

export type ActivationFunction = (context: RendererContext) => RendererApi | Promise<RendererApi>;
