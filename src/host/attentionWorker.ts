// Worker thread entry: runs the attention pipeline off the extension host's thread so that
// long sequences never freeze VS Code, and so that cancelling is as simple as terminating it.
import { parentPort } from 'node:worker_threads';
import { runText } from '../shared/pipeline';
import type { FromWorker, ToWorker } from '../shared/workerProtocol';

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

parentPort?.on('message', (msg: ToWorker) => {
  const started = performance.now();
  let reply: FromWorker;
  try {
    const r = runText(msg.input, msg.spec);
    reply = {
      type: 'result',
      id: msg.id,
      tokens: r.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end })),
      heads: r.heads,
      n: r.n,
      weights: r.weights,
      elapsedMs: performance.now() - started,
    };
    parentPort?.postMessage(reply, [r.weights.buffer as ArrayBuffer]);
  } catch (e) {
    reply = { type: 'failure', id: msg.id, message: e instanceof Error ? e.message : String(e), code: errorCode(e) };
    parentPort?.postMessage(reply);
  }
});
