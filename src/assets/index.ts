// scanout/assets: loading the files a scene draws from (Wavefront OBJ models and PNG textures), and
// the demo model the library generates for itself.
export { AssetError } from "./errors.js";
export {
  loadObj, parseObj, VERTEX_FLOATS, VERTEX_STRIDE, POSITION_OFFSET, NORMAL_OFFSET, UV_OFFSET,
  type Mesh, type ObjOptions, type NormalMode,
} from "./obj.js";
export { loadPng, decodePng, pngSize, DEFAULT_MAX_PIXELS, type Rgba8Image, type PngOptions } from "./png.js";
export { encodePng } from "../util/png.js";
export { generateDemoModel, writeDenseObj, type GeneratedAssets } from "./generate.js";
