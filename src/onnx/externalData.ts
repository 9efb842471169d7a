// The files beside a model that hold its weights (ONNX external data, as exports over 2 GB and
// `save_as_external_data` write them; attentionRun's externalDataFiles lists them). Reading is the
// caller's: the extension reads through VS Code's file system, the command line through Node's.
import { ExternalDataError } from './errors';
import type { ExternalFile } from './node/protocol';

/** The error for a data file that is not beside the model. */
export function missingDataFile(modelName: string, file: string): ExternalDataError {
  return new ExternalDataError(`${modelName} keeps its weights in "${file}", which is not beside it; put ${file} in the same folder as ${modelName}`);
}

/**
 * The external data files `files` (as the model names them), read with `read` (relative to the
 * model's folder; undefined when the file is not there). A missing file is an ExternalDataError naming it.
 */
export async function readExternalData(
  files: string[], modelName: string, read: (file: string) => Promise<Uint8Array | undefined>,
): Promise<ExternalFile[]> {
  const out: ExternalFile[] = [];
  for (const path of files) {
    const data = await read(path);
    if (!data) throw missingDataFile(modelName, path);
    out.push({ path, data });
  }
  return out;
}
