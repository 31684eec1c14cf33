// What zwp_linux_dmabuf_v1 accepts: v3 sends format/modifier events on the global; v4+ sends
// feedback (an mmap'd format table, main_device, tranches of table indices). Both end up as one
// map format -> modifiers. Table size, indices and dev_t arrays from the compositor are validated.
import { devMajorMinor, formatPciAddress, type PciAddress, pciAddressOfDevT, samePciAddress } from "../sys/dev.js";
import { mmap, PROT_READ } from "../sys/libc.js";
import { logger } from "../util/log.js";
import type { Connection } from "./connection.js";
import type { ZwpLinuxDmabufV1 } from "./protocol/linux-dmabuf-v1.js";

const log = logger("wayland");

const MAX_TABLE_BYTES = 16 << 20;

export interface DmabufFormats {
  /** fourcc -> modifiers the compositor can import. */
  formats: Map<number, Set<bigint>>;
  /** dev_t of the compositor's main device (v4+ only). */
  mainDevice: bigint | undefined;
  /** Which protocol path produced the list. */
  source: "v3 events" | "v4 default feedback";
}

function readDevT(a: Uint8Array): bigint | undefined {
  if (a.length !== 8) return undefined; // dev_t is 64-bit on Linux
  return new DataView(a.buffer, a.byteOffset, 8).getBigUint64(0, true);
}

/** Queries supported formats and modifiers through whichever path the bound version offers. */
export async function queryDmabufFormats(connection: Connection, dmabuf: ZwpLinuxDmabufV1): Promise<DmabufFormats> {
  const formats = new Map<number, Set<bigint>>();
  const add = (f: number, m: bigint) => {
    let s = formats.get(f);
    if (!s) formats.set(f, (s = new Set()));
    s.add(m);
  };
  if (dmabuf.version < 4) {
    dmabuf.listen({
      format: () => {}, // v1/v2 only; v3 follows each with modifier events
      modifier: (format, hi, lo) => add(format, (BigInt(hi) << 32n) | BigInt(lo)),
    });
    await connection.roundtrip();
    return { formats, mainDevice: undefined, source: "v3 events" };
  }
  const fb = dmabuf.get_default_feedback();
  let table: { format: number; modifier: bigint }[] = [];
  let mainDevice: bigint | undefined;
  let pending: number[] = [];
  let failure: Error | undefined;
  const done = connection.waitFor<void>((resolve) => {
    fb.listen({
      format_table: (fd, size) => {
        if (size <= 0 || size % 16 !== 0 || size > MAX_TABLE_BYTES) {
          failure = new Error(`zwp_linux_dmabuf_feedback_v1.format_table: invalid size ${size}`);
          return;
        }
        const m = mmap(fd.fd, size, PROT_READ);
        try {
          const v = new DataView(m.buffer);
          table = [];
          for (let off = 0; off < size; off += 16) table.push({ format: v.getUint32(off, true), modifier: v.getBigUint64(off + 8, true) });
        } finally {
          m.unmap();
        }
      },
      main_device: (dev) => {
        mainDevice = readDevT(dev);
      },
      tranche_target_device: () => {},
      tranche_flags: () => {},
      tranche_formats: (indices) => {
        if (indices.length % 2 !== 0) {
          failure = new Error(`zwp_linux_dmabuf_feedback_v1.tranche_formats: odd array length ${indices.length}`);
          return;
        }
        const v = new DataView(indices.buffer, indices.byteOffset, indices.byteLength);
        for (let i = 0; i < indices.length; i += 2) pending.push(v.getUint16(i, true));
      },
      tranche_done: () => {
        for (const i of pending) {
          const e = table[i];
          if (!e) {
            failure = new Error(`zwp_linux_dmabuf_feedback_v1: tranche index ${i} outside a ${table.length}-entry table`);
            continue;
          }
          add(e.format, e.modifier);
        }
        pending = [];
      },
      done: () => resolve(),
    });
  });
  await done;
  fb.destroy();
  if (failure) throw failure;
  log.debug(`dmabuf feedback: ${table.length} table entries, main device ${mainDevice ?? "unknown"}`);
  return { formats, mainDevice, source: "v4 default feedback" };
}

/** Picks the first of our modifiers that the compositor also lists for `format`. */
export function chooseModifiers(offered: Set<bigint> | undefined, ours: readonly bigint[]): bigint[] {
  if (!offered) return [];
  return ours.filter((m) => offered.has(m));
}

export interface DeviceCandidate {
  name: string;
  pciBusInfo?: PciAddress | undefined;
}

export interface DeviceMatch<T> {
  device: T;
  /** True when the device is the compositor's main device; false for the fallback. */
  matched: boolean;
  /** What was chosen and why, for a log line. */
  reason: string;
}

/**
 * Picks the candidate whose PCI address is the compositor's main device; falls back to the first
 * candidate (the caller passes those that can render, in its order of preference).
 */
export function matchMainDevice<T extends DeviceCandidate>(
  mainDevice: bigint | undefined,
  candidates: readonly T[],
  readlink?: (path: string) => string,
): DeviceMatch<T> {
  const first = candidates[0];
  if (!first) throw new Error("matchMainDevice: no candidate devices");
  const fallback = (why: string): DeviceMatch<T> => ({ device: first, matched: false, reason: `${why}; falling back to the first device, ${first.name}` });
  if (mainDevice === undefined) return fallback("the compositor names no main device (zwp_linux_dmabuf_v1 < v4)");
  const [major, minor] = devMajorMinor(mainDevice);
  const pci = pciAddressOfDevT(mainDevice, readlink);
  if (!pci) return fallback(`main device ${major}:${minor} is not a PCI device (or /sys/dev/char does not know it)`);
  const found = candidates.find((c) => samePciAddress(c.pciBusInfo, pci));
  if (!found) return fallback(`no Vulkan device is at ${formatPciAddress(pci)} (main device ${major}:${minor})`);
  return { device: found, matched: true, reason: `main device ${major}:${minor} at ${formatPciAddress(pci)} is ${found.name}` };
}
