export declare function resultName(result: number): string;
export declare class VulkanError extends Error {
    readonly call: string;
    readonly result: number;
    readonly resultName: string;
    constructor(call: string, result: number, what?: string);
}
/** Throws VulkanError for negative results; returns the (possibly positive, e.g. VK_TIMEOUT) result. */
export declare function check(call: string, result: number, what?: string): number;
