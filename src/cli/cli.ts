// attention-explorer command line: the same core the extension runs, from a shell.
// Problems are reported as one line on stderr with a non-zero exit status, never a stack trace.

import { parseArgs } from 'node:util';
import { InputError, isInputError, type MaskKind, type Token } from '../core';
import { caseCommand } from './caseCommand';
import { engineNames } from './engines';
import { EXIT_INPUT, EXIT_INTERNAL, EXIT_USAGE, UsageError } from './errors';
import { modelCommand, tokensFromIds } from './modelCommand';
import { intOption, runCommand } from './runCommand';
import { loadTokenizerFile } from './tokenizerFile';

const USAGE = `Usage:
  attention-explorer case FILE.json [--engine NAME] [--out FILE]
      One attention layer on given numbers. FILE holds
      {"x": [[…]], "heads": H, "mask": "none"|"causal"|"padding", "keyPadding": [1,0,…],
       "weights": {"wq","wk","wv","wo": [[…]], "bq","bk","bv","bo": […]}}
      (q = x · wq + bq; biases optional). Writes {"weights": [H][N][N], "output": [N][d_model]}.
  attention-explorer run --text "…" [--heads 4] [--d-model 64] [--seed 42] [--mask none|causal]
      [--tokenizer tokenizer.json] [--no-positions] [--format json|csv] [--out FILE]
      Tokenizes the text, embeds it with seeded vectors and runs one seeded random layer, as
      the editor command does. json: tokens, heads and weights; csv: head,query,key,weight.
  attention-explorer run --model model.onnx (--text "…" --tokenizer tokenizer.json | --ids 1,2,3)
      [--threads T] [--format json] [--out FILE]
      Runs an ONNX transformer in onnxruntime-web (WASM) and reads out every attention softmax:
      {"tokens": […], "layers": [{"node": "…", "heads": H, "weights": [H][N][N]}]}, layer 0 first.

Options:
  --engine NAME   engine for "case": ${engineNames().join(', ')} (default core)
  --out FILE      write the result to FILE instead of stdout
  -h, --help      show this help

Exit status: 0 success, 1 input the computation rejects, 2 bad command line or unreadable file.
`;

const CASE_OPTIONS = {
  engine: { type: 'string', default: 'core' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN_OPTIONS = {
  text: { type: 'string' },
  heads: { type: 'string' },
  'd-model': { type: 'string' },
  seed: { type: 'string' },
  mask: { type: 'string', default: 'none' },
  tokenizer: { type: 'string' },
  model: { type: 'string' },
  ids: { type: 'string' },
  threads: { type: 'string' },
  'no-positions': { type: 'boolean' },
  format: { type: 'string', default: 'json' },
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
      return runText(rest);
    default:
      throw new UsageError(`unknown command "${command}"; use "case" or "run" (see --help)`);
  }
}

async function runCase(argv: string[]): Promise<void> {
  const { values, positionals } = parsing(() =>
    parseArgs({ args: argv, options: CASE_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) return void process.stdout.write(USAGE);
  if (positionals.length !== 1) throw new UsageError('case needs exactly one FILE.json');
  await caseCommand({ file: positionals[0], engine: values.engine, out: values.out });
}

async function runText(argv: string[]): Promise<void> {
  const { values, positionals } = parsing(() =>
    parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true }));
  if (values.help) return void process.stdout.write(USAGE);
  if (positionals.length > 0) throw new UsageError(`run takes no positional arguments, got "${positionals[0]}"`);
  if (values.model !== undefined) return runModel(values);
  const text = values.text;
  if (text === undefined) throw new UsageError('run needs --text "…"');
  const mask = values.mask;
  if (mask !== 'none' && mask !== 'causal' && mask !== 'padding') {
    throw new UsageError(`--mask must be none, causal or padding, got "${mask}"`);
  }
  const format = values.format;
  if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, got "${format}"`);
  const tokenizerPath = values.tokenizer;
  await runCommand({
    text,
    heads: intOption('heads', values.heads, 4, 1),
    dModel: intOption('d-model', values['d-model'], 64, 1),
    seed: intOption('seed', values.seed, 42, Number.MIN_SAFE_INTEGER),
    mask: mask as MaskKind,
    format,
    positions: !values['no-positions'],
    tokenize: tokenizerPath ? await loadTokenizerFile(tokenizerPath) : undefined,
    out: values.out,
  });
}

async function runModel(values: { model?: string; text?: string; tokenizer?: string; ids?: string; threads?: string; format?: string; out?: string }): Promise<void> {
  if (values.format !== 'json') throw new UsageError(`--model writes json only, got --format ${values.format}`);
  let tokens: Token[];
  if (values.ids !== undefined) {
    if (values.text !== undefined) throw new UsageError('give either --text with --tokenizer, or --ids, not both');
    tokens = tokensFromIds(values.ids);
  } else {
    if (values.text === undefined || values.tokenizer === undefined) {
      throw new UsageError('--model needs --text "…" with --tokenizer tokenizer.json, or --ids 1,2,3');
    }
    tokens = await (await loadTokenizerFile(values.tokenizer))(values.text);
    if (tokens.length === 0) throw new InputError('empty', 'the text holds no tokens');
  }
  await modelCommand({
    model: values.model as string,
    tokens,
    format: 'json',
    threads: intOption('threads', values.threads, 1, 1),
    out: values.out,
  });
}

function fail(e: unknown): void {
  if (e instanceof UsageError) {
    process.stderr.write(`attention-explorer: ${e.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (isInputError(e)) {
    process.stderr.write(`attention-explorer: ${e.message}\n`);
    process.exitCode = EXIT_INPUT;
  } else {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`attention-explorer: internal error: ${message.split('\n')[0]}\n`);
    process.exitCode = EXIT_INTERNAL;
  }
}

main(process.argv.slice(2)).catch(fail);
