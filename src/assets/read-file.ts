// Reading an asset file from disk, with the one error every loader gives when it cannot.
import { readFile } from "node:fs/promises";
import { AssetError } from "./errors.js";

/** Reads `path` whole; a missing or unreadable file is an AssetError naming it and the `kind` of file. */
export async function readAssetFile(path: string, kind: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AssetError(path, `cannot read ${kind} file${code === "ENOENT" ? ": no such file" : code ? `: ${code}` : ""}`);
  }
}
