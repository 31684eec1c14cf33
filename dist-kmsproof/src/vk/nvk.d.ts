import type * as NvkModule from "nvk/generated/1.1.126/linux/index.js";
export type Nvk = typeof NvkModule;
export type { NvkModule as VkTypes };
export declare const vk: Nvk;
/** nvk's ArrayBuffer extensions (static fromAddress, prototype getAddress), typed only inside its module. */
export declare const nativeBuffers: {
    fromAddress: (address: bigint, length: number) => ArrayBuffer;
    getAddress: (buffer: ArrayBuffer) => bigint;
};
/**
 * nvk types every pNext as `null`; at run time it accepts any struct. This is the one place that
 * cast lives, so the rest of vk/ builds real pNext chains with types intact.
 */
export declare function chain<T>(struct: T): null;
