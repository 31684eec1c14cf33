// Loads the nvk bindings once, quietly, and hands out their typed module.
// nvk prints two "(nvk) ..." lines on import; they are kept out of our users' stdout.
// npm_config_disable_validation_checks selects nvk's interfaces without JS-side argument checks
// (struct creation ~40% cheaper); the Khronos validation layer does the real checking.
import { createRequire } from "node:module";
function loadQuietly() {
    process.env.npm_config_disable_validation_checks ??= "1";
    const require = createRequire(import.meta.url);
    const write = process.stdout.write;
    process.stdout.write = (() => true);
    try {
        return require("nvk");
    }
    finally {
        process.stdout.write = write;
    }
}
export const vk = loadQuietly();
/** nvk's ArrayBuffer extensions (static fromAddress, prototype getAddress), typed only inside its module. */
export const nativeBuffers = {
    fromAddress: (address, length) => ArrayBuffer.fromAddress(address, length),
    getAddress: (buffer) => buffer.getAddress(),
};
/**
 * nvk types every pNext as `null`; at run time it accepts any struct. This is the one place that
 * cast lives, so the rest of vk/ builds real pNext chains with types intact.
 */
export function chain(struct) {
    return struct;
}
//# sourceMappingURL=nvk.js.map