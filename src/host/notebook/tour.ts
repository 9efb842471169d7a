// The worked tour that "Attention: New Attention Notebook" opens: the mechanism in prose, with
// cells to run at each step. Every paragraph is its own string so each can be translated.
import * as vscode from 'vscode';
import type { CellSettings } from '../../shared/notebookFormat';
import { ATTENTION_LANGUAGE } from '../../notebookFile/format';

function markdown(...paragraphs: string[]): vscode.NotebookCellData {
  return new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, paragraphs.join('\n\n'), 'markdown');
}

function attention(text: string, settings: CellSettings): vscode.NotebookCellData {
  const cell = new vscode.NotebookCellData(vscode.NotebookCellKind.Code, text, ATTENTION_LANGUAGE);
  cell.metadata = { settings };
  return cell;
}

const BASE: CellSettings = { engine: 'core', heads: 4, dModel: 64, seed: 42, mask: 'none', view: 'heads', scale: true };

export function tourCells(): vscode.NotebookCellData[] {
  return [
    markdown(
      `# ${vscode.l10n.t('Self-attention, step by step')}`,
      vscode.l10n.t('This notebook computes multi-head self-attention on short sequences and draws the weights of every head. Run all cells with "Run All" above, or one cell with the button beside it. Each attention cell has its settings in the status bar under it: click them to change heads, d_model, seed, mask, view or scaling.'),
    ),
    markdown(
      `## ${vscode.l10n.t('Queries, keys and values')}`,
      vscode.l10n.t('Each token first becomes an embedding, a vector of d_model numbers. Three learned matrices, Wq, Wk and Wv, turn every embedding into a query q (what this token is looking for), a key k (what it offers to others) and a value v (what it passes on when it is chosen).'),
      vscode.l10n.t('Here the embeddings and the three matrices are seeded random numbers: the same text and seed give the same attention on every machine, without downloading a model.'),
    ),
    markdown(
      `## ${vscode.l10n.t('Scores, scaling and softmax')}`,
      vscode.l10n.t('The score of query token i for key token j is the dot product q_i · k_j. Dot products of long random vectors grow with their length, so every score is divided by √d_k, the square root of the key width. Without that, softmax would put almost all the weight on one key.'),
      vscode.l10n.t('Softmax turns each row of scores into weights that are positive and sum to 1. The output for token i is the weighted sum of all values: weights_ij · v_j over j.'),
    ),
    markdown(
      `## ${vscode.l10n.t('Multiple heads, and the cost')}`,
      vscode.l10n.t('Multi-head attention splits Q, K and V into subspaces of d_model / heads dimensions, one per head, so each head can learn a different relation: one may look at the previous token, another at a similar word. Their outputs are joined and mixed by a fourth matrix, Wo.'),
      vscode.l10n.t('Every query meets every key, so the weights of one head form an N × N matrix: time and memory grow as O(N²) with the number of tokens N.'),
      vscode.l10n.t('The first example is 我喜欢吃苹果 ("I like to eat apples"), one token per character. In each heatmap the query tokens run down the side and the key tokens across the top; hover a cell to read its weight.'),
    ),
    attention('我喜欢吃苹果', BASE),
    markdown(
      `## ${vscode.l10n.t('An English sentence')}`,
      vscode.l10n.t('English text is split into words and punctuation. Notice how a repeated word ("mat") gets the same embedding, so heads treat both copies alike apart from their positions.'),
    ),
    attention('The cat sat on the mat because the mat was warm.', BASE),
    markdown(
      `## ${vscode.l10n.t('Causal versus bidirectional attention')}`,
      vscode.l10n.t('The cells above are bidirectional: every token sees the whole sentence, as in BERT. A language model that writes text one token at a time (GPT) may not look ahead, so a causal mask hides every key after the query: the upper triangle of each heatmap becomes zero and the first token can attend only to itself.'),
    ),
    attention('我喜欢吃苹果', { ...BASE, mask: 'causal' }),
    markdown(
      `## ${vscode.l10n.t('Scaled versus unscaled scores')}`,
      vscode.l10n.t('The next two cells use a wider layer (d_model 256, so d_k = 64) on the same sentence. The first leaves the scores unscaled: softmax saturates and most rows put nearly all their weight on a single key. The second divides by √d_k = 8 and the weights spread out again. Compare the largest weight in each caption.'),
    ),
    attention('我喜欢吃苹果', { ...BASE, dModel: 256, scale: false }),
    attention('我喜欢吃苹果', { ...BASE, dModel: 256, scale: true }),
    markdown(
      `## ${vscode.l10n.t('What trained heads learn')}`,
      vscode.l10n.t('Everything above used seeded random weights: the mechanism is real, but the patterns mean nothing. The next cells run the same sentences through small models shipped with this extension, trained on text from Debian packages (Chinese message catalogs and manual pages, English fortunes): a bidirectional model that fills in hidden characters, and a causal model that predicts the next token. They have 4 layers of 4 heads; each cell shows a layer choice above the heads.'),
      vscode.l10n.t('Measured on sentences the models never saw (the README has the table), head 3 of layer 1 of the bidirectional model is the most specific: it gives the previous token, the other pieces of an English word and the other character of a common Chinese word 2.5 to 3.6 times the weight that even attention would. Head 1 of layer 1 favours [CLS], the start of the sentence. The deeper layers spread their attention more evenly. In the causal model several heads favour [CLS], and head 4 of layer 4 ties a character to the earlier character of its word: 欢 puts 0.985 of its weight on 喜. These are small models trained for about 20 minutes, so expect tendencies rather than the sharp patterns of large ones.'),
    ),
    attention('我喜欢吃苹果', { ...BASE, model: 'learned-bidirectional' }),
    attention('The cat sat on the mat because the mat was warm.', { ...BASE, model: 'learned-bidirectional' }),
    attention('我喜欢吃苹果', { ...BASE, mask: 'causal', model: 'learned-causal' }),
    markdown(
      `## ${vscode.l10n.t('Your turn')}`,
      vscode.l10n.t('Edit any attention cell and run it again, or add a new one. A cell can also hold a matrix of numbers, one row per token, which is then used as the embeddings directly. Select text in any editor and run "Attention: Send Selection to Notebook" to add it here.'),
    ),
  ];
}
