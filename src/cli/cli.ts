// attention-explorer command line: the same core the extension runs, from a shell.
// Problems are reported as one line on stderr with a non-zero exit status, never a stack trace.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InputError, isInputError, type Token } from '../core';
import { caseCommand } from './caseCommand';
import { engineNames } from './engines';
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_USAGE, UsageError } from './errors';
import { LAYER_OPTIONS, layerOf, textOption } from './layerOptions';
import { modelCommand, tokensFromIds, type ModelArgs } from './modelCommand';
import { notebookCheck, notebookResave } from './notebookCommand';
import { intOption, LIMIT_OPTIONS, MAX_SEED, MAX_THREADS, maxMemoryOption } from './options';
import { runCommand } from './runCommand';
import { stepsCommand } from './stepsCommand';
import { loadTextTokenizer } from './tokenizerFile';
import { isShippedModelName, LAYER_CHOICES, SHIPPED_MODELS_DIR, shippedModel } from '../shared/shippedModels';

const USAGE = `Usage:
  attention-explorer case FILE.json [--engine NAME] [--max-memory SIZE] [--out FILE]
      One attention layer on given numbers. FILE holds
      {"x": [[…]], "heads": H, "mask": "none"|"causal"|"padding", "keyPadding": [1,0,…],
       "weights": {"wq","wk","wv","wo": [[…]], "bq","bk","bv","bo": […]}}
      (q = x · wq + bq; biases optional). Writes {"weights": [H][N][N], "output": [N][d_model]}.
  attention-explorer run (--text "…" | --matrix FILE) [LAYER OPTIONS] [--format json|csv] [--out FILE]
      The editor command's computation: the text tokenized and embedded with seeded vectors (or
      the rows of FILE as the embeddings), then one seeded layer.
      json: {"tokens", "n", "heads", "dModel", "dHead", "seed", "mask", "weights": [H][N][N]};
      csv: head,query,key,weight.
  attention-explorer steps (--text "…" | --matrix FILE) --head K [LAYER OPTIONS] [--format json] [--out FILE]
      Head K (from 0) of the same layer, step by step: {"tokens", "head", "q", "k", "v",
      "scores", "scaled", "masked", "weights", "output"}, each matrix as nested rows ([N][d_head]
      for q, k, v and output, [N][N] for the rest). masked holds null where the mask hides a
      key (−∞, which JSON cannot write). weights equals head K of run's weights.
  attention-explorer run --model model.onnx (--text "…" --tokenizer tokenizer.json | --ids 1,2,3)
      [--threads T] [--max-memory SIZE] [--format json|npy] [--out FILE]
  attention-explorer run --layer learned-bidirectional|learned-causal --text "…" [same options]
      Runs an ONNX transformer in onnxruntime-web (WASM) and reads out every attention softmax;
      --layer runs a model shipped in media/models/ with its own tokenizer (--layer random is
      the seeded layer above).
      json: {"tokens": […], "layers": [{"node": "…", "heads": H, "weights": [H][N][N]}]}, layer 0
      first. npy (needs --out F.npy): F.npy gets NumPy float32 [L, H, N, N] and F.tokens.json
      the json's tokens.
      --generate K (a causal language model, with --text): the model first continues the text
      greedily by at most K new tokens, stopping early at an end-of-sequence token or when its
      positions are full; the json is then over prompt + generated tokens, plus "generated":
      [the generated tokens] and "stop": "count" | "special" | "context".
  attention-explorer notebook check FILE.attnb…
      Opens each file as the editor does. Exit 0 when all open; else one line per bad file,
      FILE:LINE:COLUMN: problem (for text that is not UTF-8: the first bad byte, its column
      counted in bytes), and exit 1.
  attention-explorer notebook resave FILE.attnb [--out FILE2]
      Writes what saving FILE unchanged in VS Code writes (the same serializer code).

Layer options (run and steps):
  --text "…"          the text to tokenize
  --text-file FILE    the text of FILE (UTF-8; invalid bytes are reported by offset)
  --matrix FILE       N × d embeddings, one row per token (JSON rows, CSV or whitespace rows);
                      d_model is the width (--d-model is ignored), tokens are #1, #2, …
  --heads H           heads (default 4); --d-model D  width (default 64)
  --seed S            0 … ${MAX_SEED} (default 42)
  --mask none|causal|padding   (default none; padding hides a tokenizer's special tokens)
  --weights random|identity    Wq, Wk, Wv, Wo seeded random or identity (default random)
  --tokenizer FILE    tokenize --text with a Hugging Face tokenizer.json
  --no-positions      no sinusoidal positions added to text embeddings
  --no-scale          scores not divided by sqrt(d_head)

Options:
  --engine NAME   engine for "case": ${engineNames().join(', ')} (default core)
  --threads T     onnxruntime threads for --model (default 1; more than ${MAX_THREADS} run as ${MAX_THREADS})
  --generate K    with --model or --layer: generate at most K new tokens first (see run --model)
  --max-memory SIZE  refuse runs estimated to need more (default 2GB; e.g. 4GB, 512MB, bytes)
  --out FILE      write the result to FILE instead of stdout (written whole or not at all)
  -h, --help      show this help

Exit status: 0 success, 1 input the computation rejects (or a notebook that does not open),
2 bad command line or unreadable file.
`;

const CASE_OPTIONS = {
  engine: { type: 'string', default: 'core' },
  ...LIMIT_OPTIONS,
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN_OPTIONS = {
  ...LAYER_OPTIONS,
  model: { type: 'string' },
  layer: { type: 'string' },
  ids: { type: 'string' },
  threads: { type: 'string' },
  generate: { type: 'string' },
  format: { type: 'string', default: 'json' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const STEPS_OPTIONS = {
  ...LAYER_OPTIONS,
  head: { type: 'string' },
  format: { type: 'string', default: 'json' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const NOTEBOOK_OPTIONS = {
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs an argument parser, turning its complaints into one-line usage errors. */
function parsing<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    // parseArgs explains unknown or malformed options well; keep its first line.
    throw new UsageError(String((e as Error).message).split('\n')[0]);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return;
    case 'case':
      return runCase(rest);
    case 'run':
      return runLayer(rest);
    case 'steps':
      return runSteps(rest);
    case 'notebook':
      return runNotebook(rest);
    default:
      throw new UsageError(`unknown command "${command}"; use "case", "run", "steps" or "notebook" (see --help)`);
  }
}

async function runCase(argv: string[]): Promise<void> {
  const { values, positionals } = parsing(() =>
    parseArgs({ args: argv, options: CASE_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) return void process.stdout.write(USAGE);
  if (positionals.length !== 1) throw new UsageError('case needs exactly one FILE.json');
  const maxMemory = maxMemoryOption(values['max-memory']);
  await caseCommand({ file: positionals[0], engine: values.engine, out: values.out, maxMemory });
}

async function runLayer(argv: string[]): Promise<void> {
  const { values, positionals } = parsing(() =>
    parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) return void process.stdout.write(USAGE);
  if (positionals.length > 0) throw new UsageError(`run takes no positional arguments, got "${positionals[0]}"`);
  if (values.layer !== undefined && values.layer !== 'random') {
    if (values.model !== undefined) throw new UsageError('give either --layer or --model, not both');
    const files = shippedModelFiles(values.layer);
    return runModel({ ...values, model: files.model, tokenizer: values.tokenizer ?? files.tokenizer }, files.maxTokens);
  }
  if (values.model !== undefined) return runModel(values);
  if (values.generate !== undefined) {
    throw new UsageError('--generate needs a causal language model: --model model.onnx with --tokenizer, or --layer learned-causal');
  }
  const format = values.format;
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, got "${format}"`);
  const { input, spec } = await layerOf('run', values);
  await runCommand({ input, spec, format, out: values.out });
}

async function runSteps(argv: string[]): Promise<void> {
  const { values, positionals } = parsing(() =>
    parseArgs({ args: argv, options: STEPS_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) return void process.stdout.write(USAGE);
  if (positionals.length > 0) throw new UsageError(`steps takes no positional arguments, got "${positionals[0]}"`);
  if (values.format !== 'json') throw new UsageError(`steps writes json only, got --format ${values.format}`);
  if (values.head === undefined) throw new UsageError('steps needs --head K (counted from 0)');
  const head = intOption('head', values.head, 0, Number.MIN_SAFE_INTEGER);
  const { input, spec } = await layerOf('steps', values);
  await stepsCommand({ input, spec, head, out: values.out });
}

function runNotebook(argv: string[]): void {
  const [verb, ...rest] = argv;
  const { values, positionals } = parsing(() =>
    parseArgs({ args: rest, options: NOTEBOOK_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help || verb === '-h' || verb === '--help') return void process.stdout.write(USAGE);
  switch (verb) {
    case 'check':
      if (values.out !== undefined) throw new UsageError('notebook check writes no file; --out is for resave');
      return notebookCheck(positionals);
    case 'resave':
      if (positionals.length !== 1) throw new UsageError('notebook resave needs exactly one FILE');
      return notebookResave(positionals[0], values.out);
    default:
      throw new UsageError(`notebook needs "check" or "resave", got ${verb === undefined ? 'nothing' : `"${verb}"`}`);
  }
}

/** The files of a shipped model (media/models/ beside dist/), for --layer. */
function shippedModelFiles(layer: string): { model: string; tokenizer: string; maxTokens?: number } {
  if (!isShippedModelName(layer)) {
    throw new UsageError(`--layer must be ${LAYER_CHOICES.join(', ')}; got "${layer}"`);
  }
  const dir = path.join(__dirname, '..', SHIPPED_MODELS_DIR);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path.join(dir, 'models.json'), 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${path.join(dir, 'models.json')}: ${(e as Error).message}`, 'file');
  }
  const m = shippedModel(json, layer);
  return { model: path.join(dir, m.onnx), tokenizer: path.join(dir, m.tokenizer), maxTokens: m.maxTokens };
}

interface ModelValues {
  model?: string; text?: string; 'text-file'?: string; matrix?: string; tokenizer?: string; ids?: string;
  threads?: string; format?: string; out?: string; 'max-memory'?: string; generate?: string;
}

/** `--generate K`: a positive integer, or a usage error. */
function generateOption(value: string): number {
  const v = /^\s*\+?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--generate must be a positive integer (new tokens at most), got "${value}"`);
  return v;
}

async function runModel(values: ModelValues, maxTokens?: number): Promise<void> {
  const format = values.format;
  if (format !== 'json' && format !== 'npy') throw new UsageError(`--model writes json or npy, got --format ${format}`);
  if (format === 'npy' && !values.out?.endsWith('.npy')) throw new UsageError('--format npy needs --out FILE.npy');
  if (values.matrix !== undefined) throw new UsageError('--model reads token ids: give --text with --tokenizer, or --ids, not --matrix');
  // onnxruntime-web uses at most MAX_THREADS: more are clamped, and the one line says so.
  const asked = intOption('threads', values.threads, 1, 1);
  const threads = Math.min(asked, MAX_THREADS);
  if (asked > threads) process.stderr.write(`attention-explorer: --threads ${asked}: onnxruntime-web runs at most ${MAX_THREADS}; running with ${threads}\n`);
  const maxMemory = maxMemoryOption(values['max-memory']);
  const count = values.generate === undefined ? undefined : generateOption(values.generate);
  if (count !== undefined && format !== 'json') throw new UsageError('--generate writes json (with the generated tokens marked), not npy');
  if (count !== undefined && values.ids !== undefined) throw new UsageError('--generate writes the new tokens as text: give --text with --tokenizer, not --ids');
  let tokens: Token[];
  let generate: ModelArgs['generate'];
  if (values.ids !== undefined) {
    if (values.text !== undefined || values['text-file'] !== undefined) {
      throw new UsageError('give either --text with --tokenizer, or --ids, not both');
    }
    tokens = tokensFromIds(values.ids);
  } else {
    const text = textOption(values);
    if (text === undefined || values.tokenizer === undefined) {
      throw new UsageError('--model needs --text "…" with --tokenizer tokenizer.json, or --ids 1,2,3');
    }
    const tokenizer = await loadTextTokenizer(values.tokenizer);
    tokens = tokenizer.tokenize(text);
    if (tokens.length === 0) throw new InputError('empty', 'the text holds no tokens');
    if (count !== undefined) generate = { count, text, decode: (ids) => tokenizer.decode(ids) };
  }
  await modelCommand({
    model: values.model as string,
    tokens,
    format,
    threads,
    out: values.out,
    maxMemory,
    maxTokens,
    generate,
  });
}

/** The longest a failure's line gets: long quoted text is cut, never wrapped. */
const MAX_LINE = 300;

/**
 * A message as one line: control characters (newlines from a file's text quoted in a JSON.parse
 * message, a file name) are escaped, and the whole is cut to MAX_LINE characters.
 */
function oneLine(message: string): string {
  // eslint-disable-next-line no-control-regex
  const folded = message.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => JSON.stringify(c).slice(1, -1));
  return folded.length <= MAX_LINE ? folded : `${folded.slice(0, MAX_LINE - 1)}…`;
}

function fail(e: unknown): void {
  if (e instanceof UsageError) {
    process.stderr.write(`${oneLine(`attention-explorer: ${e.message}`)}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (isInputError(e)) {
    process.stderr.write(`${oneLine(`attention-explorer: ${e.message}`)}\n`);
    process.exitCode = EXIT_INPUT;
  } else {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`${oneLine(`attention-explorer: internal error: ${message.split('\n')[0]}`)}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

// A reader that stops early (`| head`) closes the pipe: that ends the run quietly, as it does
// for any Unix tool, instead of an unhandled EPIPE.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  fail(e);
});

main(process.argv.slice(2)).catch(fail);
