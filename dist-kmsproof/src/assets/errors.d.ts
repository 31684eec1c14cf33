/** A model or texture file that cannot be used: names the file and, where known, the line. */
export declare class AssetError extends Error {
    readonly file: string;
    readonly detail: string;
    readonly line?: number | undefined;
    constructor(file: string, detail: string, line?: number | undefined);
}
