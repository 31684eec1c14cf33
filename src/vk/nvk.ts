// Loads the nvk bindings once, quietly, and hands out their typed module.
// nvk prints two "(nvk) ..." lines on import; they are kept out of our users' stdout.
// npm_config_disable_validation_checks selects nvk's interfaces without JS-side argument checks
// (struct creation ~40% cheaper); the Khronos validation layer does the real checking.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type * as NvkModule from "nvk/generated/1.1.126/linux/index.js";
import { requireWithCodeCache } from "./code-cache.js";

/** The binding version our typings are for (nvk's default). */
const NVK_VULKAN = "1.1.126";

/** The type of the nvk module (see vk). */
export type Nvk = typeof NvkModule;
export type { NvkModule as VkTypes };

function loadQuietly(): Nvk {
  process.env.npm_config_disable_validation_checks ??= "1";
  const require = createRequire(import.meta.url);
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    // nvk's index.js only picks a generated interfaces file; loading that file ourselves lets V8's
    // code cache skip its 2 MB parse. Any other choice (another version or platform) goes through nvk.
    const dir = join(dirname(require.resolve("nvk/package.json")), "generated", NVK_VULKAN, process.platform);
    const checks = !process.env.npm_config_disable_validation_checks && !process.argv.some((a) => a.includes("disable-validation-checks"));
    const file = join(dir, checks ? "interfaces.js" : "interfaces-no-validation.js");
    const plain = (process.env.npm_config_vkversion ?? NVK_VULKAN) !== NVK_VULKAN || !existsSync(file);
    return (plain ? require("nvk") : requireWithCodeCache(file)) as Nvk;
  } finally {
    process.stdout.write = write;
  }
}

/** The raw nvk bindings (Vulkan 1.1 structs, enums and vk* functions), for what the typed layer does not cover; loaded once with nvk's start-up messages kept off stdout. */
export const vk: Nvk = loadQuietly();

/** nvk's ArrayBuffer extensions (static fromAddress, prototype getAddress), typed only inside its module. */
export const nativeBuffers = {
  fromAddress: (address: bigint, length: number): ArrayBuffer =>
    (ArrayBuffer as unknown as { fromAddress(a: bigint, l: number): ArrayBuffer }).fromAddress(address, length),
  getAddress: (buffer: ArrayBuffer): bigint => (buffer as unknown as { getAddress(): bigint }).getAddress(),
};

/**
 * nvk types every pNext as `null`; at run time it accepts any struct. This is the one place that
 * cast lives, so the rest of vk/ builds real pNext chains with types intact.
 */
export function chain<T>(struct: T): null {
  return struct as unknown as null;
}

const chainKeepAlive = new WeakMap<object, object[]>();

/**
 * Links structs into one pNext chain: structs[0].pNext = structs[1], and so on; returns the head
 * (or null for an empty list). nvk's pNext setters only accept the sTypes its generator listed
 * for the parent, and none at all for extension structs, so links past the head are written
 * straight into struct memory. Every struct is kept alive with the head; their fields must be set
 * at construction (nvk then needs no flush of them).
 */
export function linkChain(structs: readonly (object | null | undefined)[]): null {
  const list = structs.filter((s): s is object => !!s);
  if (list.length === 0) return null;
  for (let i = 0; i + 1 < list.length; i++) {
    const parent = list[i] as { memoryView: DataView; constructor: unknown };
    const layout = (parent.constructor as { memoryLayout: Record<string, { byteOffset: number }> }).memoryLayout;
    parent.memoryView.setBigInt64(layout.pNext!.byteOffset, (list[i + 1] as { memoryAddress: bigint }).memoryAddress, true);
  }
  chainKeepAlive.set(list[0]!, list);
  return list[0] as unknown as null;
}
