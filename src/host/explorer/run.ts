// What the panel shows and where it came from: enough to recompute a head step by step, to point
// back into the editor, to export the weights, and to run it again after a window reload.
import type * as vscode from 'vscode';
import type { AttentionRun } from '../../engine/run';
import type { RequestStepsMessage, RunRecord, SequencePayload, StepsPayload } from '../../shared/protocol';
import type { SourceSequence } from '../selection';
import type { ExploreSettings } from '../settings';

export interface ExplorerRun {
  sources: SourceSequence[];
  settings: ExploreSettings;
  payloads: SequencePayload[];
  /** What each sequence's engine returned, with the request that made it; none for weights read from a file. */
  runs: AttentionRun[];
  /** The file Open Attention Data read the weights from (then there are no sources and no runs). */
  file?: vscode.Uri;
  /** Steps of one head of a run (see explorer/steps.ts runSteps); undefined when the run cannot give them. */
  steps?(run: AttentionRun, m: RequestStepsMessage): Promise<StepsPayload | undefined>;
}

export function runRecord(sources: SourceSequence[]): RunRecord {
  return {
    sources: sources.map((s) => ({
      uri: s.uri.toString(),
      range: [s.range.start.line, s.range.start.character, s.range.end.line, s.range.end.character],
      label: s.label,
    })),
  };
}
