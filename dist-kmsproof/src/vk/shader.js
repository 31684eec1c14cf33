// Shader modules from SPIR-V files. The file is checked before Vulkan sees it (a driver may crash
// on garbage), so a missing or corrupt .spv is an error naming the file.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { vk } from "./nvk.js";
import { check, VulkanError } from "./result.js";
const SPIRV_MAGIC = 0x07230203;
/** The project's shaders/ folder (works from src/ under ts and from dist/src/ once compiled). */
export function shaderPath(name) {
    const here = fileURLToPath(new URL(".", import.meta.url));
    const root = here.includes("/dist/") ? new URL("../../../", import.meta.url) : new URL("../../", import.meta.url);
    return fileURLToPath(new URL(`shaders/${name}`, root));
}
export class ShaderError extends Error {
    file;
    constructor(file, detail) {
        super(`${file}: ${detail}`);
        this.file = file;
        this.name = "ShaderError";
    }
}
export function readSpirv(file) {
    let bytes;
    try {
        bytes = readFileSync(file);
    }
    catch (error) {
        const code = error.code;
        throw new ShaderError(file, code === "ENOENT" ? "SPIR-V file not found (run `npm run shaders`)" : `cannot read SPIR-V (${code})`);
    }
    if (bytes.byteLength < 20 || bytes.byteLength % 4 !== 0)
        throw new ShaderError(file, `not SPIR-V: ${bytes.byteLength} bytes is not a whole number of words with a header`);
    const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
    if (magic !== SPIRV_MAGIC)
        throw new ShaderError(file, `not SPIR-V: bad magic number 0x${magic.toString(16)}`);
    // nvk passes the ArrayBuffer's start address, so the code must start at offset 0 of its own buffer.
    return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
export class ShaderModule {
    device;
    file;
    handle = new vk.VkShaderModule();
    destroyed = false;
    constructor(device, file, code) {
        this.device = device;
        this.file = file;
        const info = new vk.VkShaderModuleCreateInfo({ codeSize: code.byteLength, pCode: code });
        try {
            check("vkCreateShaderModule", vk.vkCreateShaderModule(device.handle, info, null, this.handle), file);
        }
        catch (error) {
            if (error instanceof VulkanError)
                throw new ShaderError(file, error.message);
            throw error;
        }
    }
    /** Loads a module from a path, or from a bare name looked up in the project's shaders/ folder. */
    static load(device, file) {
        const path = file.includes("/") ? file : shaderPath(file);
        return new ShaderModule(device, path, readSpirv(path));
    }
    destroy() {
        if (this.destroyed)
            return;
        this.destroyed = true;
        vk.vkDestroyShaderModule(this.device.handle, this.handle, null);
    }
}
//# sourceMappingURL=shader.js.map