import type { Pixels } from "../present/presenter.js";
export declare function encodePng(pixels: Pixels): Buffer;
export declare function writePng(path: string, pixels: Pixels): void;
/** Reads a PNG as RGBA8 (for tests and tools; scenes use the assets loader with its checks). */
export declare function readPngPixels(path: string): Pixels;
