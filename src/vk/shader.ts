// Shader modules from SPIR-V files, or from GLSL compiled at run time (glsl.ts). The file is
// checked before Vulkan sees it (a driver may crash on garbage), so a missing or corrupt .spv is an
// error naming the file.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { packageFile } from "../util/package-root.js";
import { vk, type VkTypes } from "./nvk.js";
import { check, VulkanError } from "./result.js";
import { ShaderError } from "./errors.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import { glslStageOf, loadGlslCompiler, type GlslStage } from "./glsl.js";
import type { Device } from "./device.js";

const SPIRV_MAGIC = 0x07230203;

/** A file in the package's shaders/ folder. */
export function shaderPath(name: string): string {
  return packageFile("shaders", name);
}

/** Reads and checks a SPIR-V file (whole 32-bit words, header, magic number) before any driver sees it. Throws ShaderError naming the file when it is missing (suggesting `npm run shaders`) or not SPIR-V. */
export function readSpirv(file: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ShaderError(file, code === "ENOENT" ? "SPIR-V file not found (run `npm run shaders`)" : `cannot read SPIR-V (${code})`);
  }
  return checkSpirv(file, bytes);
}

/** bytes if they are SPIR-V (whole words, a header, the magic number), in a buffer of their own from offset 0 (copied if not). Throws ShaderError naming file otherwise. */
function checkSpirv(file: string, bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength < 20 || bytes.byteLength % 4 !== 0) throw new ShaderError(file, `not SPIR-V: ${bytes.byteLength} bytes is not a whole number of words with a header`);
  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  if (magic !== SPIRV_MAGIC) throw new ShaderError(file, `not SPIR-V: bad magic number 0x${magic.toString(16)}`);
  // nvk passes the ArrayBuffer's start address, so the code must start at offset 0 of its own buffer.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

export interface ShaderModuleOptions extends Owned {
  /** A path to a .spv file, or a bare name looked up in the project's shaders/ folder; with `code`, only the name messages use. */
  file: string;
  /** SPIR-V words already in memory (e.g. from a GLSL compiler), used instead of reading `file`. */
  code?: Uint32Array;
}

/** What ShaderModule.fromGlsl compiles: GLSL source, its stage, and the file name its errors name. */
export interface GlslModuleOptions extends Owned {
  source: string;
  stage: GlslStage;
  /** Named in compile errors as file:line (default "<glsl>"). */
  file?: string;
}

/** Compiled SPIR-V code for one shader stage, loaded from a .spv file (entry point "main" in pipelines). */
export class ShaderModule extends DeviceResource<VkTypes.VkShaderModule> {
  /** The .spv file the module was made from. */
  readonly file: string;

  private constructor(device: Device, options: ShaderModuleOptions) {
    super(device, new vk.VkShaderModule(), vk.vkDestroyShaderModule);
    this.file = options.code || options.file.includes("/") ? options.file : shaderPath(options.file);
    const code = options.code ? checkSpirv(this.file, new Uint8Array(options.code.buffer, options.code.byteOffset, options.code.byteLength)) : readSpirv(this.file);
    const info = new vk.VkShaderModuleCreateInfo({ codeSize: code.byteLength, pCode: code });
    try {
      check("vkCreateShaderModule", vk.vkCreateShaderModule(device.handle, info, null, this.handle), this.file);
    } catch (error) {
      if (error instanceof VulkanError) throw new ShaderError(this.file, error.message);
      throw error;
    }
  }

  /** A shader module from options.file (a path, or a bare name such as "triangle.vert.spv" found in the package's shaders/ folder). Throws ShaderError naming the file when it is missing, not SPIR-V, or rejected by vkCreateShaderModule. */
  static create(device: Device, options: ShaderModuleOptions): ShaderModule {
    return adopt(new ShaderModule(device, options), options);
  }

  /** ShaderModule.create with a file name (kept for brevity: `ShaderModule.load(device, "mesh.vert.spv")`). */
  static load(device: Device, file: string, options: Owned = {}): ShaderModule {
    return ShaderModule.create(device, { ...options, file });
  }

  /**
   * A shader module compiled from GLSL source (#version 450, Vulkan rules) by the GLSL compiler, which is loaded on the first
   * call (loadGlslCompiler). Throws GlslCompileError naming options.file and the compiler's line for each error.
   */
  static async fromGlsl(device: Device, options: GlslModuleOptions): Promise<ShaderModule> {
    const compiler = await loadGlslCompiler();
    const file = options.file ?? "<glsl>";
    return ShaderModule.create(device, { file, code: compiler.compile({ source: options.source, stage: options.stage, file }), scope: options.scope });
  }

  /**
   * A shader module from a GLSL file, its stage named by the extension (.vert, .frag, .comp) unless given. Throws ShaderError
   * when the file cannot be read or its stage is unknown, and GlslCompileError (file:line) when it does not compile.
   */
  static async fromGlslFile(device: Device, file: string, options: Owned & { stage?: GlslStage } = {}): Promise<ShaderModule> {
    const stage = options.stage ?? glslStageOf(file);
    if (!stage) throw new ShaderError(file, "unknown shader stage: name the file .vert, .frag or .comp, or pass the stage");
    let source: string;
    try {
      source = await readFile(file, "utf8");
    } catch (error) {
      throw new ShaderError(file, `cannot read GLSL (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    return ShaderModule.fromGlsl(device, { source, stage, file, scope: options.scope });
  }

  override toString(): string {
    return `ShaderModule ${this.file}`;
  }
}
