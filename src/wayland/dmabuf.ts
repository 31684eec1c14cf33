// What zwp_linux_dmabuf_v1 accepts: v3 sends format/modifier events on the global; v4+ sends
// feedback (an mmap'd format table, main_device, tranches of table indices). Both end up as one
// map format -> modifiers. Table size, indices and dev_t arrays from the compositor are validated.
import { devMajorMinor, formatPciAddress, type PciAddress, pciAddressOfDevT, samePciAddress } from "../sys/dev.js";
import { readSync } from "node:fs";
import { logger } from "../util/log.js";
import type { Connection } from "./connection.js";
import { CompositorDataError } from "./errors.js";
import { type ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufFeedbackV1TrancheFlags, ZwpLinuxDmabufV1 } from "./protocol/linux-dmabuf-v1.js";

const log = logger("wayland");

const MAX_TABLE_BYTES = 16 << 20;

/** One tranche of dmabuf feedback: formats the compositor prefers for one device and use, best first. */
export interface DmabufTranche {
  /** dev_t of the device buffers of this tranche should be allocated on (tranche_target_device). */
  targetDevice: bigint | undefined;
  /** tranche_flags: 1 = scanout (buffers can go straight to a display plane). */
  flags: number;
  /** fourcc -> modifiers of this tranche. */
  formats: Map<number, Set<bigint>>;
}

/** What the compositor said it imports: formats and modifiers, its main device and the tranches, from v3 events or v4 feedback. */
export interface DmabufFormats {
  /** fourcc -> modifiers the compositor can import (all tranches together). */
  formats: Map<number, Set<bigint>>;
  /** dev_t of the compositor's main device (v4+ only). */
  mainDevice: bigint | undefined;
  /** Which protocol path produced the list. */
  source: "v3 events" | "v4 default feedback" | "v4 surface feedback";
  /** The tranches in the compositor's order of preference (v4+; v3: one tranche with every format). */
  tranches: DmabufTranche[];
  /** Entries in the mmap'd format table (v4+; 0 for v3). */
  tableEntries: number;
}

function readDevT(a: Uint8Array): bigint | undefined {
  if (a.length !== 8) return undefined; // dev_t is 64-bit on Linux
  return new DataView(a.buffer, a.byteOffset, 8).getBigUint64(0, true);
}

function addTo(formats: Map<number, Set<bigint>>, f: number, m: bigint): void {
  let s = formats.get(f);
  if (!s) formats.set(f, (s = new Set()));
  s.add(m);
}

/** `226:128` for a dev_t, for logs and stats. */
export function devTName(dev: bigint | undefined): string {
  if (dev === undefined) return "unknown";
  const [major, minor] = devMajorMinor(dev);
  return `${major}:${minor}`;
}

/** A tranche for logs and stats: `#0 device 226:0 scanout, 12 formats`. */
export function trancheName(t: DmabufTranche, index: number): string {
  return `#${index} device ${devTName(t.targetDevice)}${t.flags & ZwpLinuxDmabufFeedbackV1TrancheFlags.scanout ? " scanout" : ""}, ${t.formats.size} formats`;
}

/**
 * Installs handlers on a zwp_linux_dmabuf_feedback_v1 (default or per-surface): each `done` (the
 * first and every later change) calls onDone with the whole feedback; a malformed one calls onError.
 */
export function listenFeedback(
  fb: ZwpLinuxDmabufFeedbackV1,
  source: DmabufFormats["source"],
  onDone: (formats: DmabufFormats) => void,
  onError: (e: Error) => void,
): void {
  let table: { format: number; modifier: bigint }[] = [];
  let mainDevice: bigint | undefined;
  let tranches: DmabufTranche[] = [];
  let current: DmabufTranche = { targetDevice: undefined, flags: 0, formats: new Map() };
  let failure: Error | undefined;
  fb.listen({
    format_table: (fd, size) => {
      if (size <= 0 || size % 16 !== 0 || size > MAX_TABLE_BYTES) {
        failure = new CompositorDataError("zwp_linux_dmabuf_feedback_v1.format_table", `invalid size ${size}`);
        return;
      }
      // read with pread, not mmap: a second feedback (per-surface, or a change) would map the
      // table again, and a view over a re-used address can crash Node (DESIGN.md, nvk quirks)
      const bytes = Buffer.alloc(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd.fd, bytes, got, size - got, got);
        if (n <= 0) break;
        got += n;
      }
      if (got !== size) {
        failure = new CompositorDataError("zwp_linux_dmabuf_feedback_v1.format_table", `read ${got} of ${size} bytes`);
        return;
      }
      const v = new DataView(bytes.buffer, bytes.byteOffset, size);
      table = [];
      for (let off = 0; off < size; off += 16) table.push({ format: v.getUint32(off, true), modifier: v.getBigUint64(off + 8, true) });
    },
    main_device: (dev) => {
      mainDevice = readDevT(dev);
    },
    tranche_target_device: (dev) => {
      current.targetDevice = readDevT(dev);
    },
    tranche_flags: (flags) => {
      current.flags = flags;
    },
    tranche_formats: (indices) => {
      if (indices.length % 2 !== 0) {
        failure = new CompositorDataError("zwp_linux_dmabuf_feedback_v1.tranche_formats", `odd array length ${indices.length}`);
        return;
      }
      const v = new DataView(indices.buffer, indices.byteOffset, indices.byteLength);
      for (let i = 0; i < indices.length; i += 2) {
        const index = v.getUint16(i, true);
        const e = table[index];
        if (!e) {
          failure = new CompositorDataError("zwp_linux_dmabuf_feedback_v1.tranche_formats", `tranche index ${index} outside a ${table.length}-entry table`);
          continue;
        }
        addTo(current.formats, e.format, e.modifier);
      }
    },
    tranche_done: () => {
      tranches.push(current);
      current = { targetDevice: current.targetDevice, flags: 0, formats: new Map() };
    },
    done: () => {
      if (failure) {
        onError(failure);
        failure = undefined;
      } else {
        const formats = new Map<number, Set<bigint>>();
        for (const t of tranches) for (const [f, mods] of t.formats) for (const m of mods) addTo(formats, f, m);
        log.debug(`dmabuf ${source}: ${table.length} table entries, main device ${devTName(mainDevice)}, tranches ${tranches.map(trancheName).join("; ")}`);
        onDone({ formats, mainDevice, source, tranches, tableEntries: table.length });
      }
      // every done sends the full feedback again (the table may be kept: the protocol resends it)
      tranches = [];
      current = { targetDevice: undefined, flags: 0, formats: new Map() };
    },
  });
}

/** Queries supported formats and modifiers through whichever path the bound version offers. */
export async function queryDmabufFormats(connection: Connection, dmabuf: ZwpLinuxDmabufV1): Promise<DmabufFormats> {
  if (dmabuf.version < ZwpLinuxDmabufV1.since.get_default_feedback) {
    const formats = new Map<number, Set<bigint>>();
    dmabuf.listen({
      format: () => {}, // v1/v2 only; v3 follows each with modifier events
      modifier: (format, hi, lo) => addTo(formats, format, (BigInt(hi) << 32n) | BigInt(lo)),
    });
    await connection.roundtrip();
    return { formats, mainDevice: undefined, source: "v3 events", tranches: [{ targetDevice: undefined, flags: 0, formats }], tableEntries: 0 };
  }
  const fb = dmabuf.get_default_feedback();
  let result: DmabufFormats | undefined;
  let failure: Error | undefined;
  const done = connection.waitFor<void>((resolve) =>
    listenFeedback(
      fb,
      "v4 default feedback",
      (f) => {
        result = f;
        resolve();
      },
      (e) => {
        failure = e;
        resolve();
      },
    ),
  );
  await done;
  fb.destroy();
  if (failure) throw failure;
  return result!;
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
  if (!first) throw new RangeError("matchMainDevice: no candidate devices");
  const fallback = (why: string): DeviceMatch<T> => ({ device: first, matched: false, reason: `${why}; falling back to the first device, ${first.name}` });
  if (mainDevice === undefined) return fallback("the compositor names no main device (zwp_linux_dmabuf_v1 < v4)");
  const [major, minor] = devMajorMinor(mainDevice);
  const pci = pciAddressOfDevT(mainDevice, readlink);
  if (!pci) return fallback(`main device ${major}:${minor} is not a PCI device (or /sys/dev/char does not know it)`);
  const found = candidates.find((c) => samePciAddress(c.pciBusInfo, pci));
  if (!found) return fallback(`no Vulkan device is at ${formatPciAddress(pci)} (main device ${major}:${minor})`);
  return { device: found, matched: true, reason: `main device ${major}:${minor} at ${formatPciAddress(pci)} is ${found.name}` };
}
