export interface Rgba8Image {
    name: string;
    width: number;
    height: number;
    /** width * height * 4 bytes, rows top to bottom. */
    data: Uint8Array;
}
export interface PngOptions {
    /** Name used in errors (defaults to the path, or "<png>"). */
    name?: string;
    /** Largest width or height accepted: pass the device's maxImageDimension2D. */
    maxDimension?: number;
}
/** Reads width and height from the IHDR chunk without decoding, so oversize images fail early. */
export declare function pngSize(buf: Uint8Array, name?: string): {
    width: number;
    height: number;
};
/** Decodes a PNG held in memory. */
export declare function decodePng(buf: Uint8Array, options?: PngOptions): Rgba8Image;
/** Reads and decodes a PNG file; errors name the file. */
export declare function loadPng(path: string, options?: PngOptions): Promise<Rgba8Image>;
/** Encodes RGBA8 pixels as a PNG (used by the model generator and golden-image tests). */
export declare function encodePng(width: number, height: number, rgba: Uint8Array): Buffer;
