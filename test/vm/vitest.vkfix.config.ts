import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.vm.config.js";
export default mergeConfig(base, defineConfig({
  plugins: [{ name: "vkfix", transform(code: string, id: string) {
    if (id.endsWith("src/vk/memory.ts")) return code.replace("if (options.dedicated) {", "if (options.dedicated && !options.exportDmabuf) {");
    return undefined;
  } }],
}));
