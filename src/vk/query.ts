// Timestamp queries and the GPU clock. A QueryPool holds timestamps written by command buffers; a
// GpuClock turns them into performance.now() milliseconds. The per-frame calls (reset, write, read)
// go through koffi like fast.ts's, and read into memory made once, so they allocate nothing.
import koffi from "koffi";
import { vk, nativeBuffers, type VkTypes } from "./nvk.js";
import { DeviceCapabilityError } from "./errors.js";
import { check } from "./result.js";
import { rawHandle } from "./fast.js";
import { adopt, DeviceResource, type Owned } from "./resource.js";
import { CommandPool, type CommandBuffer } from "./commands.js";
import type { Buffer as VkBuffer } from "./buffer.js";
import { Fence } from "./sync.js";
import type { Device } from "./device.js";
import { monotonicToNowMs } from "../util/trace.js";

// The same loader nvk uses (see fast.ts); core 1.0 entry points dispatch through any layers.
const loader = koffi.load("libvulkan.so.1");
const u64 = "uint64_t";
const cmdResetQueryPool = loader.func(`void vkCmdResetQueryPool(${u64} cb, ${u64} pool, uint32_t first, uint32_t count)`);
const cmdWriteTimestamp = loader.func(`void vkCmdWriteTimestamp(${u64} cb, int stage, ${u64} pool, uint32_t query)`);
const cmdCopyQueryPoolResults = loader.func(
  `void vkCmdCopyQueryPoolResults(${u64} cb, ${u64} pool, uint32_t first, uint32_t count, ${u64} buffer, ${u64} offset, ${u64} stride, int flags)`,
);
const getQueryPoolResults = loader.func(
  `int vkGetQueryPoolResults(${u64} device, ${u64} pool, uint32_t first, uint32_t count, ${u64} size, ${u64} data, ${u64} stride, int flags)`,
);
// VK_EXT_calibrated_timestamps through the loader's proc addresses: nvk 0.8's own bindings of these
// two functions crash the process on lavapipe.
const getInstanceProcAddr = loader.func(`void* vkGetInstanceProcAddr(${u64} instance, const char* name)`);
const getDeviceProcAddr = loader.func(`void* vkGetDeviceProcAddr(${u64} device, const char* name)`);
const timeDomainsProto = koffi.proto(`int vkGetPhysicalDeviceCalibrateableTimeDomainsEXT(${u64} physical, _Inout_ uint32_t* count, int32_t* domains)`);
const calibratedProto = koffi.proto(`int vkGetCalibratedTimestampsEXT(${u64} device, uint32_t count, const void* infos, uint64_t* stamps, uint64_t* deviation)`);

const STAGE = {
  top: vk.VkPipelineStageFlagBits.VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT,
  bottom: vk.VkPipelineStageFlagBits.VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT,
} as const;
const RESULT_64 = vk.VkQueryResultFlagBits.VK_QUERY_RESULT_64_BIT;
const RESULT_WAIT = vk.VkQueryResultFlagBits.VK_QUERY_RESULT_WAIT_BIT;
const NOT_READY = vk.VkResult.VK_NOT_READY;

export interface QueryPoolOptions extends Owned {
  /** Only timestamp queries so far. */
  type: "timestamp";
  count: number;
  /** Shown in messages. */
  what?: string;
}

/** Timestamp queries: reset and written inside command buffers, read back without waiting. */
export class QueryPool extends DeviceResource<VkTypes.VkQueryPool> {
  readonly count: number;
  readonly what: string | undefined;
  /** Results of read(): query q's 64-bit value at [2q] (low word) and [2q + 1] (high word). */
  readonly results: Uint32Array;
  private readonly raw: bigint;
  /** Native address of each query's result slot, made once so read() does no BigInt arithmetic. */
  private readonly addresses: bigint[];

  private constructor(device: Device, options: QueryPoolOptions) {
    super(device, new vk.VkQueryPool(), vk.vkDestroyQueryPool);
    if (!Number.isInteger(options.count) || options.count < 1) throw new RangeError(`QueryPool: count must be a positive integer, got ${options.count}`);
    this.count = options.count;
    this.what = options.what;
    const info = new vk.VkQueryPoolCreateInfo({ queryType: vk.VkQueryType.VK_QUERY_TYPE_TIMESTAMP, queryCount: options.count });
    check("vkCreateQueryPool", vk.vkCreateQueryPool(device.handle, info, null, this.handle), this.toString());
    this.raw = rawHandle(this.handle);
    this.results = new Uint32Array(options.count * 2);
    const base = nativeBuffers.getAddress(this.results.buffer as ArrayBuffer);
    this.addresses = Array.from({ length: options.count }, (_, q) => base + BigInt(q * 8));
  }

  /** A pool of `count` timestamp queries. */
  static create(device: Device, options: QueryPoolOptions): QueryPool {
    return adopt(new QueryPool(device, options), options);
  }

  /** Records a reset of `count` queries from `first` (outside a render pass, before they are written). */
  reset(cmd: CommandBuffer, first: number, count: number): void {
    cmdResetQueryPool(cmd.raw, this.raw, first, count);
  }

  /** Records a timestamp into `query` once the commands before it reach `stage` (top or bottom of pipe). */
  writeTimestamp(cmd: CommandBuffer, stage: keyof typeof STAGE, query: number): void {
    cmdWriteTimestamp(cmd.raw, STAGE[stage], this.raw, query);
  }

  /**
   * Records a copy of `count` 64-bit results from `first` into `buffer` at byte `offset`, made once
   * they are written (on the GPU's timeline). Read them from the buffer once the submission's fence
   * has signalled: no vkGetQueryPoolResults call, which lavapipe answers only with its queue idle,
   * stalling the frames in flight. Into a host-visible buffer it ends with transferWritesToHost.
   */
  copyResults(cmd: CommandBuffer, first: number, count: number, buffer: VkBuffer, offset: number): void {
    cmdCopyQueryPoolResults(cmd.raw, this.raw, first, count, buffer.raw, offset, 8, RESULT_64 | RESULT_WAIT);
    if (buffer.hostVisible) cmd.transferWritesToHost();
  }

  /**
   * Copies `count` results from `first` into `results` without waiting; false when one is not
   * available yet (call it once the submission that wrote them has finished).
   */
  read(first: number, count: number): boolean {
    const r = getQueryPoolResults(this.device.raw, this.raw, first, count, count * 8, this.addresses[first]!, 8, RESULT_64) as number;
    if (r < 0) check("vkGetQueryPoolResults", r, this.toString()); // names the pool only when it fails
    return r !== NOT_READY;
  }

  override toString(): string {
    return `QueryPool ${this.count} timestamps${this.what ? ` (${this.what})` : ""}`;
  }
}

/** What the device's queue can do with timestamps. */
export interface TimestampSupport {
  /** Meaningful bits of a timestamp (36..64); the rest are zero. */
  validBits: number;
  /** Nanoseconds per timestamp tick. */
  periodNs: number;
}

/** The graphics queue's timestamp support, or undefined when its family writes no timestamps (timestampValidBits 0). */
export function timestampSupport(device: Device): TimestampSupport | undefined {
  const count = { $: 0 };
  vk.vkGetPhysicalDeviceQueueFamilyProperties(device.physical.handle, count, null);
  const families = Array.from({ length: count.$ }, () => new vk.VkQueueFamilyProperties());
  vk.vkGetPhysicalDeviceQueueFamilyProperties(device.physical.handle, count, families);
  const validBits = families[device.queue.familyIndex]?.timestampValidBits ?? 0;
  const props = new vk.VkPhysicalDeviceProperties();
  vk.vkGetPhysicalDeviceProperties(device.physical.handle, props);
  const periodNs = props.limits!.timestampPeriod;
  return validBits > 0 && periodNs > 0 ? { validBits, periodNs } : undefined;
}

/**
 * How GPU ticks were tied to the CPU clock: "calibrated" reads both clocks at once
 * (VK_EXT_calibrated_timestamps, device and CLOCK_MONOTONIC); "anchored" submits a timestamp and
 * waits for it, so a tick lies between the CPU times before the submit and after the wait.
 */
export type ClockCalibration = "calibrated" | "anchored";

const TWO_32 = 2 ** 32;
/** GpuClock.state: indices. */
const LAST_LO = 0;
const LAST_HI = 1;
const LAST_TICKS = 2;
const ANCHOR_MS = 3;
const DOMAIN = vk.VkTimeDomainEXT;

/**
 * Turns a queue's timestamps into performance.now() milliseconds. Calibrate at the start of a run
 * (GPU and CPU clocks may drift apart by some ppm over a long one). Conversions must come roughly in
 * time order: each tick is unwrapped against the previous one (timestamps of fewer than 64 bits wrap).
 */
export class GpuClock {
  readonly validBits: number;
  readonly periodNs: number;
  /** How the last calibration was made (calibrated when the device enabled VK_EXT_calibrated_timestamps and offers CLOCK_MONOTONIC). */
  readonly method: ClockCalibration;
  /**
   * Width of the window the true offset lies in, in ms: converted times may read early by up to
   * this much (anchored: they are placed at the earliest time the calibration allows, so a GPU
   * span never ends after its fence was seen), or be off by up to the driver's deviation (calibrated).
   */
  uncertaintyMs = 0;
  private readonly msPerTick: number;
  private readonly wrap: number;
  /**
   * The last tick converted (raw words), its ticks since the anchor, and the anchor's time: in a
   * typed array, where a number never needs a heap box, whatever the JIT makes of field types.
   */
  private readonly state = new Float64Array(4);

  private constructor(
    private readonly device: Device,
    support: TimestampSupport,
  ) {
    this.validBits = support.validBits;
    this.periodNs = support.periodNs;
    this.msPerTick = support.periodNs / 1e6;
    this.wrap = support.validBits >= 64 ? 0 : 2 ** support.validBits;
    this.method = canCalibrate(device) ? "calibrated" : "anchored";
    this.calibrate();
  }

  /** A clock for the device's queue, calibrated now; undefined when the queue writes no timestamps. */
  static create(device: Device): GpuClock | undefined {
    const support = timestampSupport(device);
    return support && new GpuClock(device, support);
  }

  /** Ties GPU ticks to performance.now() again (one call of the extension, or a few submit-and-wait round trips). */
  calibrate(): void {
    const [lo, hi, nowMs, uncertaintyMs] = this.method === "calibrated" ? calibrated(this.device) : anchored(this.device, this.msPerTick);
    const st = this.state;
    st[LAST_LO] = lo;
    st[LAST_HI] = hi;
    st[LAST_TICKS] = 0;
    st[ANCHOR_MS] = nowMs;
    this.uncertaintyMs = uncertaintyMs;
  }

  /**
   * A timestamp as performance.now() milliseconds: its low and high 32-bit words at words[at] and
   * words[at + 1] (QueryPool.results). Read here, so words above 2^31 never cross a call boxed.
   */
  toNowMs(words: Uint32Array, at: number): number {
    this.advance(words, at);
    return this.state[ANCHOR_MS]! + this.state[LAST_TICKS]! * this.msPerTick;
  }

  /**
   * Two timestamps (at words[at] and words[at + 2]) as a span on the performance.now() clock,
   * written into `out`: no number crosses a call, so a frame's span allocates nothing.
   */
  spanToNowMs(words: Uint32Array, at: number, out: { startMs: number; endMs: number; ms: number }): void {
    const st = this.state;
    this.advance(words, at);
    const startMs = st[ANCHOR_MS]! + st[LAST_TICKS]! * this.msPerTick;
    this.advance(words, at + 2);
    const endMs = st[ANCHOR_MS]! + st[LAST_TICKS]! * this.msPerTick;
    out.startMs = startMs;
    out.endMs = endMs;
    out.ms = endMs - startMs;
  }

  /** Moves the clock on to the timestamp at words[at] (low word) and words[at + 1] (high word). */
  private advance(words: Uint32Array, at: number): void {
    const st = this.state;
    const lo = words[at]!;
    const hi = words[at + 1]!;
    st[LAST_TICKS] += ticksBetween(st[LAST_LO]!, st[LAST_HI]!, lo, hi, this.wrap);
    st[LAST_LO] = lo;
    st[LAST_HI] = hi;
  }
}

/** Ticks from one raw timestamp to another (negative if earlier), across at most half a wrap. */
function ticksBetween(fromLo: number, fromHi: number, lo: number, hi: number, wrap: number): number {
  let d = (hi - fromHi) * TWO_32 + (lo - fromLo);
  if (wrap) {
    if (d > wrap / 2) d -= wrap;
    else if (d < -wrap / 2) d += wrap;
  }
  return d;
}

function canCalibrate(device: Device): boolean {
  if (!device.has("VK_EXT_calibrated_timestamps")) return false;
  const get = getInstanceProcAddr(rawHandle(device.instance.handle), "vkGetPhysicalDeviceCalibrateableTimeDomainsEXT");
  if (!get) return false;
  const physical = rawHandle(device.physical.handle);
  const count = [0];
  check("vkGetPhysicalDeviceCalibrateableTimeDomainsEXT", koffi.call(get, timeDomainsProto, physical, count, null) as number);
  const domains = new Int32Array(count[0]!);
  check("vkGetPhysicalDeviceCalibrateableTimeDomainsEXT", koffi.call(get, timeDomainsProto, physical, count, domains) as number);
  return domains.includes(DOMAIN.VK_TIME_DOMAIN_DEVICE_EXT) && domains.includes(DOMAIN.VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT);
}

type Anchor = [lo: number, hi: number, nowMs: number, uncertaintyMs: number];

/** Device and CLOCK_MONOTONIC read together; the tightest of three tries. */
function calibrated(device: Device): Anchor {
  const get = getDeviceProcAddr(device.raw, "vkGetCalibratedTimestampsEXT");
  if (!get) throw new DeviceCapabilityError(device.physical.name, `${device.physical.name}: VK_EXT_calibrated_timestamps is enabled but vkGetCalibratedTimestampsEXT is missing`);
  // Two VkCalibratedTimestampInfoEXT { sType, pNext, timeDomain }: device ticks and CLOCK_MONOTONIC ns.
  const infos = Buffer.alloc(48);
  [DOMAIN.VK_TIME_DOMAIN_DEVICE_EXT, DOMAIN.VK_TIME_DOMAIN_CLOCK_MONOTONIC_EXT].forEach((domain, i) => {
    infos.writeUInt32LE(vk.VkStructureType.VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_EXT, i * 24);
    infos.writeUInt32LE(domain, i * 24 + 16);
  });
  const stamps = new BigUint64Array(2);
  const deviation = new BigUint64Array(1);
  let best: Anchor | undefined;
  for (let i = 0; i < 3; i++) {
    check("vkGetCalibratedTimestampsEXT", koffi.call(get, calibratedProto, device.raw, 2, infos, stamps, deviation) as number);
    const ms = Number(deviation[0]!) / 1e6;
    if (!best || ms < best[3]) best = [Number(stamps[0]! & 0xffffffffn), Number(stamps[0]! >> 32n), monotonicToNowMs(Number(stamps[1]!) / 1e6), ms];
  }
  return best!;
}

/**
 * Submits a timestamp write and waits, five times: each tick happened after the CPU time before its
 * submit and before the CPU saw its fence. The anchor is the latest "after" bound (times never read
 * late); the uncertainty is the window left between the bounds.
 */
function anchored(device: Device, msPerTick: number): Anchor {
  const pool = CommandPool.create(device, { transient: true });
  const queries = QueryPool.create(device, { type: "timestamp", count: 1, what: "clock anchor" });
  const fence = Fence.create(device);
  try {
    const [cmd] = pool.allocate(1);
    const submit = device.queue.prepare({ commandBuffers: [cmd!], fence });
    let first: [number, number] | undefined;
    let lower = -Infinity;
    let upper = Infinity;
    for (let i = 0; i < 5; i++) {
      cmd!.begin({ oneTime: true });
      queries.reset(cmd!, 0, 1);
      queries.writeTimestamp(cmd!, "top", 0);
      cmd!.end();
      fence.reset();
      const before = performance.now();
      submit.submit();
      fence.wait();
      const after = performance.now();
      if (!queries.read(0, 1)) throw new DeviceCapabilityError(device.physical.name, `${queries}: no result after its fence signalled`);
      const [lo, hi] = [queries.results[0]!, queries.results[1]!];
      first ??= [lo, hi];
      const atMs = ticksBetween(first[0], first[1], lo, hi, 0) * msPerTick;
      lower = Math.max(lower, before - atMs);
      upper = Math.min(upper, after - atMs);
    }
    return [first![0], first![1], lower, Math.max(0, upper - lower)];
  } finally {
    fence.destroy();
    queries.destroy();
    pool.destroy();
  }
}
