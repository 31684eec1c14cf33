/** A model or texture file that cannot be used: names the file and, where known, the line. */
export class AssetError extends Error {
    file;
    detail;
    line;
    constructor(file, detail, line) {
        super(`${file}${line !== undefined ? `:${line}` : ""}: ${detail}`);
        this.file = file;
        this.detail = detail;
        this.line = line;
        this.name = "AssetError";
    }
}
//# sourceMappingURL=errors.js.map