// worker_threads entry (dist/ortWorker.js): owns one onnxruntime instance and its sessions, so
// model loading and inference never block the extension host's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-web';
import { loadOrt, type Ort } from './ortNode';
import { transferables, type Feeds, type FromWorker, type TensorData, type ToWorker, type WorkerInit } from './protocol';

const init = workerData as WorkerInit;
const sessions = new Map<number, InferenceSession>();
let nextSession = 1;
let ort: Ort | undefined;

function runtime(): Ort {
  ort ??= loadOrt(init.wasmDir, init.threads);
  return ort;
}

function reply(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(msg, transfer);
}

function toOrt(feeds: Feeds): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) out[name] = new (runtime().Tensor)(t.type, t.data, t.dims);
  return out;
}

function fromOrt(t: Tensor): TensorData {
  const type = t.type as TensorData['type'];
  return { type, dims: [...t.dims], data: t.data as TensorData['data'] };
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'load': {
      // onnxruntime's own log (a coloured line on stderr) would come before the caller's one-line
      // report; its message reaches the caller in the rejected promise instead. 4: fatal only.
      const session = await runtime().InferenceSession.create(msg.model, {
        executionProviders: ['wasm'], logSeverityLevel: 4, ...(msg.externalData?.length ? { externalData: msg.externalData } : {}),
      });
      const id = nextSession++;
      sessions.set(id, session);
      reply({ type: 'loaded', id: msg.id, session: id, inputNames: [...session.inputNames], outputNames: [...session.outputNames] });
      return;
    }
    case 'run': {
      const session = sessionFor(msg.session);
      const start = performance.now();
      const results = await session.run(toOrt(msg.feeds), msg.outputs, { logSeverityLevel: 4 });
      const ms = performance.now() - start;
      const outputs: Feeds = {};
      for (const name of msg.outputs) {
        outputs[name] = fromOrt(results[name]);
      }
      reply({ type: 'result', id: msg.id, outputs, ms }, transferables(outputs));
      return;
    }
    case 'release': {
      await sessionFor(msg.session).release();
      sessions.delete(msg.session);
      reply({ type: 'released', id: msg.id });
      return;
    }
  }
}

function sessionFor(id: number): InferenceSession {
  const session = sessions.get(id);
  if (!session) throw new Error(`no onnxruntime session ${id} in this worker`);
  return session;
}

// One request at a time: a WASM instance runs one session.run at once, and replies stay in order.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (msg: ToWorker) => {
  queue = queue.then(() =>
    handle(msg).catch((e: unknown) => {
      reply({ type: 'error', id: msg.id, code: 'runtime', message: e instanceof Error ? e.message : String(e) });
    }),
  );
});
