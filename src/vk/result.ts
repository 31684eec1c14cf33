// Every failing VkResult becomes a VulkanError naming the call and the result.
import { vk } from "./nvk.js";
import { enumNamer } from "./names.js";

/** The name of a VkResult value, e.g. resultName(-4) = "VK_ERROR_DEVICE_LOST". */
export const resultName: (result: number) => string = enumNamer(vk.VkResult, "VkResult");

/** Thrown when a Vulkan call fails: `call` names the function, `result` and `resultName` the VkResult (e.g. "vkQueueSubmit: VK_ERROR_DEVICE_LOST (what)"). */
export class VulkanError extends Error {
  readonly resultName: string;
  constructor(
    readonly call: string,
    readonly result: number,
    what?: string,
  ) {
    const name = resultName(result);
    super(`${call}: ${name}${what ? ` (${what})` : ""}`);
    this.name = "VulkanError";
    this.resultName = name;
  }
}

/** Throws VulkanError for negative results; returns the (possibly positive, e.g. VK_TIMEOUT) result. */
export function check(call: string, result: number, what?: string): number {
  if (result < 0) throw new VulkanError(call, result, what);
  return result;
}
