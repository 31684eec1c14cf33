// pngjs, loaded on first use: only PNG writing needs it, and its ~20 ms of module loading would
// otherwise be paid by every process that imports scanout.
import { createRequire } from "node:module";
import type { PNG as PngClass } from "pngjs";

let loaded: typeof PngClass | undefined;

/** pngjs's PNG class, required on the first call. */
export function pngjs(): typeof PngClass {
  return (loaded ??= (createRequire(import.meta.url)("pngjs") as typeof import("pngjs")).PNG);
}
