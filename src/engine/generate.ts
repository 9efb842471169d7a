// Generate and Explore: a causal language model continues a text greedily (the argmax of the last
// position's logits, one new token per step), and the attention of the whole grown text is read
// once at the end. For a causal model, row t of that run is exactly what token t attended to when
// it was run: its weights over itself and every token before it, never a later one. The steps
// and the final run share one session; cancelling (env.signal) stops between steps and during one.
import { laterKeyWeight, type Token } from '../core';
import { InputError } from '../core/errors';
import { OnnxCancelledError } from '../onnx/errors';
import type { OpenedAttention } from '../onnx/node/extractAttention';
import type { TensorData } from '../onnx/tensor';
import { checkModelTokens, openModel, runModelOn, type AttentionRun, type EngineEnv, type ModelRequest } from './run';

/** The graph output generation reads: [1, N, vocabulary] scores of the next token at each position. */
export const LOGITS_OUTPUT = 'logits';

export interface GenerateRequest {
  /** The model and the prompt's tokens (their ranges index into `text`). */
  model: ModelRequest;
  /** The prompt as written (the selection). */
  text: string;
  /** The most new tokens (at least 1). */
  count: number;
  /** The text of token ids, special tokens left out (TextTokenizer.decode). */
  decode(ids: number[]): string;
}

/** Why generation ended. */
export type GenerateStop =
  | { reason: 'count' } // as many tokens as were asked for
  | { reason: 'special'; id: number } // the model chose a token with no text ([SEP], </s>): the end of its sequence
  | { reason: 'context'; maxTokens: number }; // the model's positions are all used

/** The attention of prompt + generated tokens, and what was generated. */
export interface GeneratedRun extends AttentionRun {
  /** How many tokens at the end of `tokens` were generated. */
  generated: number;
  /** The prompt followed by the generated text: what every token's range indexes into. */
  text: string;
  stop: GenerateStop;
}

/** Called before each step: step k (1-based) of at most `total`. */
export type GenerateProgress = (step: number, total: number) => void;

/** Above this weight a token gives to a later token, the model's attention is not causal. */
const CAUSAL_TOLERANCE = 1e-6;

export async function generateAttention(request: GenerateRequest, env: EngineEnv, onStep?: GenerateProgress): Promise<GeneratedRun> {
  const { model, count } = request;
  if (!Number.isInteger(count) || count < 1) throw new InputError('option', `the number of tokens to generate must be a positive integer, got ${count}`);
  const prompt = withoutEnd(model.tokens);
  checkModelTokens({ ...model, tokens: prompt });
  const max = model.maxTokens;
  if (max !== undefined && prompt.length >= max) {
    throw new InputError('model', `${model.label} reads at most ${max} tokens (its learned positions); this text already has ${prompt.length}, which leaves no room to generate; use a shorter text`);
  }
  const total = max === undefined ? count : Math.min(count, max - prompt.length);
  const opened = await openModel(model, env);
  try {
    if (!opened.outputs.includes(LOGITS_OUTPUT)) {
      throw new InputError('model', `${model.label} is not a causal language model: it has no "${LOGITS_OUTPUT}" output to choose the next token from (its outputs: ${opened.outputs.join(', ') || 'none'})`);
    }
    const ids = prompt.map((t) => t.id ?? 0);
    await checkCausal(opened, ids, model.label, env.signal);
    const promptIds = ids.length;
    let stop: GenerateStop = { reason: 'count' };
    for (let step = 1; step <= count; step++) {
      if (max !== undefined && ids.length >= max) {
        stop = { reason: 'context', maxTokens: max };
        break;
      }
      cancelled(env.signal);
      onStep?.(step, total);
      const out = await opened.fetch(ids, [LOGITS_OUTPUT], env.signal);
      cancelled(env.signal);
      const next = argmaxLast(out[LOGITS_OUTPUT], ids.length);
      if (request.decode([next]) === '') {
        stop = { reason: 'special', id: next };
        break;
      }
      ids.push(next);
    }
    const { text, tokens } = grow(request, prompt, ids.slice(promptIds));
    cancelled(env.signal);
    const run = await runModelOn({ ...model, tokens: [...prompt, ...tokens] }, env, opened);
    return { ...run, generated: tokens.length, text, stop };
  } finally {
    await opened.release().catch(() => undefined); // a cancelled worker has nothing left to release
  }
}

function cancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new OnnxCancelledError('cancelled');
}

/**
 * The prompt without the special tokens a tokenizer appends at its end ([SEP], </s>): the text
 * goes on where it stops, not after an end-of-sequence mark. A leading [CLS] stays.
 */
function withoutEnd(tokens: Token[]): Token[] {
  let end = tokens.length;
  while (end > 1 && tokens[end - 1].special) end--;
  return tokens.slice(0, end);
}

/**
 * Refuses a model whose tokens see later tokens (a masked-language model): row t of its attention
 * would not be what token t saw when it was generated, and its logits do not predict a next token.
 */
async function checkCausal(opened: OpenedAttention, ids: number[], label: string, signal: AbortSignal | undefined): Promise<void> {
  // One token sees only itself: two tokens are the least that show a later key.
  const probe = ids.length >= 2 ? ids : [ids[0], ids[0]];
  const layers = await opened.extract(probe, undefined, signal);
  for (const [l, layer] of layers.entries()) {
    const later = laterKeyWeight(layer.weights, layer.queries, CAUSAL_TOLERANCE);
    if (later) {
      throw new InputError('model', `${label} is not a causal language model: its attention is not causal (layer ${l + 1}, head ${later.matrix + 1}: token ${later.query + 1} attends to the later token ${later.key + 1}), so it cannot continue a text one token at a time`);
    }
  }
}

/** The id with the largest logit at the last position of a [1, N, V] float32 output (the first of equals). */
function argmaxLast(t: TensorData | undefined, n: number): number {
  const d = t?.dims ?? [];
  if (!t || t.type !== 'float32' || d.length !== 3 || d[0] !== 1 || d[1] !== n || d[2] < 1) {
    throw new InputError('model', `output ${LOGITS_OUTPUT} is ${t ? `${t.type} [${d.join(', ')}]` : 'missing'}, not float32 [1, ${n}, vocabulary]`);
  }
  const v = d[2];
  const data = t.data as Float32Array;
  const at = (n - 1) * v;
  let best = 0;
  for (let i = 1; i < v; i++) if (data[at + i] > data[at + best]) best = i;
  return best;
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

/**
 * The grown text and the generated tokens, each with its range in it. A token's text is what it
 * adds to the decoded text (the decode of prompt + tokens so far, less the decode before it), so
 * the decoder's joins and word pieces come out as the tokenizer writes them. BERT-style
 * normalizers put a space around every CJK character, which decoding keeps: between two CJK
 * characters that space is left out, as the text was written.
 */
export function grow(request: Pick<GenerateRequest, 'text' | 'decode'>, prompt: Token[], generated: number[]): { text: string; tokens: Token[] } {
  const promptIds = prompt.map((t) => t.id ?? 0);
  let text = request.text;
  let before = request.decode(promptIds);
  const tokens: Token[] = [];
  for (const [i, id] of generated.entries()) {
    const after = request.decode([...promptIds, ...generated.slice(0, i + 1)]);
    let added = after.startsWith(before) ? after.slice(before.length) : request.decode([id]);
    before = after;
    const word = added.trimStart();
    const last = [...text].pop() ?? '';
    if (word !== added && CJK.test(last) && CJK.test([...word][0] ?? '')) added = word;
    const start = text.length + (added.length - word.length);
    text += added;
    tokens.push({ text: word === '' ? added : word, start: word === '' ? text.length - added.length : start, end: text.length, id });
  }
  return { text, tokens };
}
