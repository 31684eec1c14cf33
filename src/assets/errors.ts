/** A model or texture file that cannot be used: names the file and, where known, the line. */
export class AssetError extends Error {
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${detail}`);
    this.name = "AssetError";
  }
}
