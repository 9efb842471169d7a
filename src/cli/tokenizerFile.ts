// `--tokenizer tokenizer.json`: a Hugging Face tokenizer read from disk. A tokenizer_config.json
// beside it is read too when present, as the Hugging Face libraries do.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerJson, type TextTokenizer, type Token } from '../core';
import { readJson } from './io';

export async function loadTokenizerFile(file: string): Promise<(text: string) => Promise<Token[]>> {
  const tokenizer = await loadTextTokenizer(file);
  return async (text) => tokenizer.tokenize(text);
}

/** The tokenizer itself: tokens of a text, and the text of ids (to write generated tokens). */
export async function loadTextTokenizer(file: string): Promise<TextTokenizer> {
  const json = readJson(file);
  const configPath = path.join(path.dirname(file), 'tokenizer_config.json');
  const config = existsSync(configPath) ? readJson(configPath) : {};
  return loadTokenizerJson(json, config);
}
