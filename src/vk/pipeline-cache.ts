// A VkPipelineCache kept on disk between runs, so a driver that caches compiled pipelines (radv,
// anv, NVIDIA's) skips recompiling our shaders at start-up. The file is only an accelerator: one
// that is missing, truncated, corrupt, or written by another driver, device or driver version is
// ignored with a debug log and the cache starts empty; the driver never sees bytes we have not
// checked (a bad cache blob can crash some drivers). Writes go to a temporary file renamed over the
// old one, so a reader sees the previous file or the new one, never half of one.
//
// Measured on lavapipe (Mesa 25.0): vkGetPipelineCacheData returns only its 32-byte header, so the
// cache holds nothing there and no file is written; Mesa's own shader disk cache
// (MESA_SHADER_CACHE_DIR) is what spares lavapipe its LLVM compiles.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { vk, type VkTypes } from "./nvk.js";
import { check } from "./result.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import type { Device } from "./device.js";
import type { PhysicalDevice } from "./physical-device.js";
import { logger } from "../util/log.js";
import { pruneCacheFolder } from "../util/prune-cache.js";

const log = logger("vk");

/** Our file header: "SOPC", format version, payload bytes, reserved, then the first 16 bytes of the payload's SHA-256. */
const MAGIC = 0x4350_4f53; // "SOPC" little-endian
const FORMAT_VERSION = 1;
const FILE_HEADER_BYTES = 32;
/** The header every Vulkan pipeline cache blob starts with (VK_PIPELINE_CACHE_HEADER_VERSION_ONE): size, version, vendor, device, UUID. */
const VK_HEADER_BYTES = 16 + 16;

/** Options of PipelineCache.create. */
export interface PipelineCacheOptions extends Owned {
  /** The file to load from and save to; without one the cache lives in memory only. */
  file?: string;
}

/** The folder of the default pipeline cache files. */
const defaultFolder = (): string => join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "scanout", "pipelines");

/** Files kept in the default folder besides the one just written: each driver update or other device leaves its own. */
const KEEP_OTHER_FILES = 3;

/** Where a device's pipeline cache file goes by default: $XDG_CACHE_HOME (or ~/.cache)/scanout/pipelines/, one file per device, driver version and cache UUID. */
export function defaultPipelineCacheFile(physical: PhysicalDevice): string {
  const id = `${hex(physical.pipelineCacheUUID)}-${physical.vendorId.toString(16)}-${physical.deviceId.toString(16)}-${physical.driverVersion.toString(16)}`;
  return join(defaultFolder(), `${id}.bin`);
}

/** After `file` was written: in the default folder (never in one the app chose), the oldest other files go. */
function pruneAfterWrite(file: string): void {
  if (dirname(file) !== defaultFolder()) return;
  try {
    pruneCacheFolder(dirname(file), file, KEEP_OTHER_FILES);
  } catch (error) {
    log.debug(`pipeline cache folder ${dirname(file)}: not pruned (${(error as Error).message})`);
  }
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
const digest = (data: Uint8Array): Buffer => createHash("sha256").update(data).digest().subarray(0, 16);

/** Wraps driver data in our header (see MAGIC). */
export function encodePipelineCacheFile(data: Uint8Array): Buffer {
  const out = Buffer.alloc(FILE_HEADER_BYTES + data.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(FORMAT_VERSION, 4);
  out.writeUInt32LE(data.byteLength, 8);
  digest(data).copy(out, 16);
  out.set(data, FILE_HEADER_BYTES);
  return out;
}

/**
 * The driver data in a cache file, or why it is unusable for `physical`: our header must be intact, the payload's
 * checksum must match, and the Vulkan header inside must name this device's vendor, device and pipeline cache UUID.
 */
export function decodePipelineCacheFile(file: Uint8Array, physical: PhysicalDevice): { data: Uint8Array } | { reason: string } {
  if (file.byteLength < FILE_HEADER_BYTES) return { reason: `${file.byteLength} bytes, shorter than its header` };
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dv.getUint32(0, true) !== MAGIC) return { reason: "not a scanout pipeline cache (bad magic)" };
  if (dv.getUint32(4, true) !== FORMAT_VERSION) return { reason: `format version ${dv.getUint32(4, true)}, expected ${FORMAT_VERSION}` };
  const length = dv.getUint32(8, true);
  if (length !== file.byteLength - FILE_HEADER_BYTES) return { reason: `truncated or padded: header says ${length} bytes, file has ${file.byteLength - FILE_HEADER_BYTES}` };
  const data = file.subarray(FILE_HEADER_BYTES);
  if (!digest(data).equals(file.subarray(16, 32))) return { reason: "checksum mismatch (corrupt)" };
  if (length < VK_HEADER_BYTES) return { reason: "driver data shorter than a Vulkan pipeline cache header" };
  const vkv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const headerSize = vkv.getUint32(0, true), headerVersion = vkv.getUint32(4, true);
  if (headerSize < VK_HEADER_BYTES || headerSize > length || headerVersion !== 1) return { reason: `unknown Vulkan cache header (size ${headerSize}, version ${headerVersion})` };
  const vendor = vkv.getUint32(8, true), device = vkv.getUint32(12, true);
  const uuid = data.subarray(16, 32);
  if (vendor !== physical.vendorId || device !== physical.deviceId || !Buffer.from(uuid).equals(Buffer.from(physical.pipelineCacheUUID))) {
    return { reason: `made by another device or driver (vendor 0x${vendor.toString(16)}, device 0x${device.toString(16)}, UUID ${hex(uuid)})` };
  }
  return { data };
}

let tmpCounter = 0;
const tmpName = (file: string): string => `${file}.${process.pid}.${++tmpCounter}.tmp`;

/** Writes driver data as a cache file, atomically: a temporary file in the same folder is renamed over `file`. Throws on file system errors. */
export function writePipelineCacheFile(file: string, data: Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = tmpName(file);
  try {
    writeFileSync(tmp, encodePipelineCacheFile(data));
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * A VkPipelineCache, optionally loaded from and saved to a file (PipelineCache.create). Pipeline.create uses the
 * device's own one (Device.pipelineCache) unless given another; save() writes the file when the driver's data changed.
 */
export class PipelineCache extends DeviceResource<VkTypes.VkPipelineCache> {
  /** The file it was loaded from and saves to (undefined: in memory only). */
  readonly file: string | undefined;
  /** Bytes of driver data loaded from the file (0 when it started empty). */
  readonly loadedBytes: number;
  private saved: Uint8Array | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(device: Device, options: PipelineCacheOptions) {
    super(device, new vk.VkPipelineCache(), vk.vkDestroyPipelineCache);
    this.file = options.file;
    const initial = this.file ? PipelineCache.readFile(this.file, device.physical) : undefined;
    // nvk passes the ArrayBuffer's start address: the data must be its own buffer
    const buffer = initial ? new Uint8Array(initial).buffer : null;
    check(
      "vkCreatePipelineCache",
      vk.vkCreatePipelineCache(device.handle, new vk.VkPipelineCacheCreateInfo({ initialDataSize: initial?.byteLength ?? 0, pInitialData: buffer }), null, this.handle),
      this.toString(),
    );
    this.loadedBytes = initial?.byteLength ?? 0;
    this.saved = initial;
  }

  /** A pipeline cache, loaded from options.file when that holds valid data for this device (anything else is ignored). Throws VulkanError when creation fails. */
  static create(device: Device, options: PipelineCacheOptions = {}): PipelineCache {
    return adopt(new PipelineCache(device, options), options);
  }

  /** @internal The device's own cache: not counted among its children, destroyed (and saved) by the device. */
  static createOwned(device: Device, file: string | undefined): PipelineCache {
    return new PipelineCache(device, { file });
  }

  private static readFile(file: string, physical: PhysicalDevice): Uint8Array | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") log.debug(`pipeline cache ${file}: not read (${code}); starting empty`);
      return undefined;
    }
    const r = decodePipelineCacheFile(bytes, physical);
    if ("reason" in r) {
      log.debug(`pipeline cache ${file}: ignored, ${r.reason}; starting empty`);
      return undefined;
    }
    return r.data;
  }

  /** The driver's current cache data (vkGetPipelineCacheData). */
  data(): Uint8Array {
    this.assertLive();
    // nvk reads the size in as a number and writes it back as a bigint (its typings say bigint both ways)
    const size = { $: 0 as number | bigint };
    const inout = size as unknown as VkTypes.VkInoutAddress;
    check("vkGetPipelineCacheData", vk.vkGetPipelineCacheData(this.device.handle, this.handle, inout, null), this.toString());
    const n = Number(size.$);
    if (n === 0) return new Uint8Array(0);
    const out = new ArrayBuffer(n);
    size.$ = n;
    check("vkGetPipelineCacheData", vk.vkGetPipelineCacheData(this.device.handle, this.handle, inout, out), this.toString());
    return new Uint8Array(out, 0, Number(size.$));
  }

  /** The data to write, or undefined when there is nothing new: no file, no change, or only a header (a driver that caches nothing). */
  private pending(): Uint8Array | undefined {
    if (!this.file) return undefined;
    const data = this.data();
    if (data.byteLength <= VK_HEADER_BYTES) return undefined;
    if (this.saved && Buffer.from(this.saved).equals(Buffer.from(data))) return undefined;
    return data;
  }

  /** Writes the cache file now (atomically) when the driver's data changed; true when written. Errors (file system, driver) are logged (debug), not thrown. */
  save(): boolean {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.file) return false;
    try {
      const data = this.pending();
      if (!data) return false;
      writePipelineCacheFile(this.file, data);
      this.saved = data;
      pruneAfterWrite(this.file);
      return true;
    } catch (error) {
      log.debug(`pipeline cache ${this.file}: not saved (${(error as Error).message})`);
      return false;
    }
  }

  /** @internal Pipeline.create calls this: the file is written in the background a moment after the last pipeline of a burst. */
  created(): void {
    if (!this.file) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.saveInBackground(), 1000);
    this.timer.unref();
  }

  private async saveInBackground(): Promise<void> {
    this.timer = undefined;
    if (this.destroyed || !this.device.isOpen || !this.file) return;
    let data: Uint8Array | undefined;
    try {
      data = this.pending();
    } catch (error) {
      // a driver failure (vkGetPipelineCacheData) in a timer: nobody could catch it
      log.debug(`pipeline cache ${this.file}: not saved (${(error as Error).message})`);
      return;
    }
    if (!data) return;
    const tmp = tmpName(this.file);
    try {
      await mkdir(dirname(this.file), { recursive: true });
      await writeFile(tmp, encodePipelineCacheFile(data));
      await rename(tmp, this.file);
      this.saved = data;
      pruneAfterWrite(this.file);
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      log.debug(`pipeline cache ${this.file}: not saved (${(error as Error).message})`);
    }
  }

  /** Writes what a background save still had to write (it was due within a second), then frees the cache. */
  override destroy(): void {
    if (this.timer && !this.destroyed && this.device.isOpen) this.save();
    super.destroy();
  }

  protected override release(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    super.release();
  }

  override toString(): string {
    return `PipelineCache${this.file ? ` ${this.file}` : ""}`;
  }
}
