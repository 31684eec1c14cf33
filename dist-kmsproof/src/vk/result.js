// Every failing VkResult becomes a VulkanError naming the call and the result.
import { vk } from "./nvk.js";
const resultNames = new Map();
for (const [name, value] of Object.entries(vk.VkResult)) {
    if (typeof value === "number" && name.startsWith("VK_"))
        resultNames.set(value, name);
}
export function resultName(result) {
    return resultNames.get(result) ?? `VkResult(${result})`;
}
export class VulkanError extends Error {
    call;
    result;
    resultName;
    constructor(call, result, what) {
        const name = resultName(result);
        super(`${call}: ${name}${what ? ` (${what})` : ""}`);
        this.call = call;
        this.result = result;
        this.name = "VulkanError";
        this.resultName = name;
    }
}
/** Throws VulkanError for negative results; returns the (possibly positive, e.g. VK_TIMEOUT) result. */
export function check(call, result, what) {
    if (result < 0)
        throw new VulkanError(call, result, what);
    return result;
}
//# sourceMappingURL=result.js.map