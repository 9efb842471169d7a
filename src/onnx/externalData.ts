// The files beside a model that hold its weights (ONNX external data, as exports over 2 GB and
// `save_as_external_data` write them). Reading is the caller's: the extension reads through VS
// Code's file system, the command line through Node's.
import { externalDataFiles } from './attentionRun';
import { ExternalDataError } from './errors';
import type { ExternalFile } from './node/protocol';
import { decodeModel } from './proto';

/**
 * Every external data file `model` names, read with `read` (relative to the model's folder;
 * undefined when the file is not there). A missing file is an ExternalDataError naming it.
 */
export async function readExternalData(
  model: Uint8Array, modelName: string, read: (file: string) => Promise<Uint8Array | undefined>,
): Promise<ExternalFile[]> {
  const files = externalDataFiles(decodeModel(model).graph ?? {});
  const out: ExternalFile[] = [];
  for (const path of files) {
    const data = await read(path);
    if (!data) {
      throw new ExternalDataError(`${modelName} keeps its weights in "${path}", which is not beside it; put ${path} in the same folder as ${modelName}`);
    }
    out.push({ path, data });
  }
  return out;
}
