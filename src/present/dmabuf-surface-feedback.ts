// Per-surface dmabuf feedback (zwp_linux_dmabuf_v1 v4+): the compositor's preferences for one
// surface, sent first and again whenever they change (a scanout tranche appears when the window
// goes fullscreen on a direct-scanout capable output). When the best kind we can make there differs
// from the one in use, the backend re-allocates at its next acquire, never mid-allocation.
import type { Device } from "../vk/index.js";
import { pciAddressOfDevT, samePciAddress } from "../sys/dev.js";
import { logger } from "../util/log.js";
import { type DmabufFormats, listenFeedback, trancheName } from "../wayland/dmabuf.js";
import { type ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufFeedbackV1TrancheFlags, type ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlSurface } from "../wayland/protocol/wayland.js";
import { type BufferKind, bufferKinds, chooseTranche, kindName, type TrancheChoice } from "./dmabuf-buffers.js";
import { describeDevT, isUdmabuf } from "./dmabuf-device.js";

const log = logger("present");

/**
 * Whether a feedback tranche's dev_t is the device we render on: the same PCI address (a primary or
 * render node of our GPU), or /dev/udmabuf for a CPU device, whose dmabufs are udmabufs.
 */
export function isDeviceOf(device: Pick<Device, "physical">, dev: bigint, nodeName?: string): boolean {
  const ours = device.physical.pciBusInfo;
  if (ours !== undefined && samePciAddress(pciAddressOfDevT(dev), ours)) return true;
  return device.physical.type === "cpu" && isUdmabuf(dev, nodeName);
}

/**
 * The kinds we can make from the feedback's scanout tranches (`XR24/LINEAR AR24/LINEAR`), "none"
 * when it has scanout tranches and none fits, undefined when it has none.
 */
function scanoutKinds(f: DmabufFormats, c: FeedbackContext): string | undefined {
  const scanout = f.tranches.filter((t) => t.flags & ZwpLinuxDmabufFeedbackV1TrancheFlags.scanout);
  if (!scanout.length) return undefined;
  const kinds = new Set(scanout.flatMap((t) => bufferKinds(t.formats, c.driverModifiers, c.fourccs).map(kindName)));
  return kinds.size ? [...kinds].join(" ") : "none";
}

/** What the backend asks of the choice: the kinds it can make, which of them were refused, which is in use. */
export interface FeedbackContext {
  readonly device: Device;
  readonly driverModifiers: readonly bigint[];
  readonly fourccs: readonly number[];
  refused(kind: BufferKind): boolean;
  current(): BufferKind | undefined;
}

/** Listens to one surface's feedback and keeps the kinds it asks for until the backend takes them. */
export class SurfaceFeedback {
  /** The formats and tranche in effect (the default feedback's until the surface's arrives). */
  offered: DmabufFormats;
  tranche: TrancheChoice;
  /** Feedback events received. */
  changes = 0;
  /** Scanout tranches in the latest feedback: the kinds we could make from them ("none"), or undefined when it had none. */
  scanout: string | undefined;
  /** Whether any feedback so far had a scanout tranche. */
  scanoutSeen = false;
  /** The main device of the feedback in effect, named (`226:0 dri/card0 (primary node)`). */
  mainDevice: string;
  private readonly object: ZwpLinuxDmabufFeedbackV1 | undefined;
  /** The kinds the latest feedback asks for, until take() hands them to the next acquire. */
  private pending: BufferKind[] | undefined;

  constructor(
    dmabuf: ZwpLinuxDmabufV1,
    surface: WlSurface,
    offered: DmabufFormats,
    private readonly context: FeedbackContext,
  ) {
    this.offered = offered;
    this.tranche = this.choose(offered);
    this.scanout = scanoutKinds(offered, context);
    this.scanoutSeen = this.scanout !== undefined;
    this.mainDevice = describeDevT(offered.mainDevice);
    if (dmabuf.version < 4) return;
    this.object = dmabuf.get_surface_feedback(surface);
    listenFeedback(
      this.object,
      "v4 surface feedback",
      (f) => this.onFeedback(f),
      (e) => log.warn(`wayland-dmabuf: ignoring malformed surface feedback: ${e.message}`),
    );
  }

  private choose(f: DmabufFormats): TrancheChoice {
    const c = this.context;
    return chooseTranche(f, c.driverModifiers, (dev) => isDeviceOf(c.device, dev), c.fourccs);
  }

  /** Surface feedback arrived: when its best kind differs from the one we allocate, ask for a re-allocation. */
  private onFeedback(f: DmabufFormats): void {
    this.changes++;
    const choice = this.choose(f);
    this.scanout = scanoutKinds(f, this.context);
    this.scanoutSeen ||= this.scanout !== undefined;
    this.mainDevice = describeDevT(f.mainDevice);
    log.info(`wayland-dmabuf: surface feedback: main device ${this.mainDevice}, ${f.tableEntries} table entries, tranches ${f.tranches.map(trancheName).join("; ")}; using ${choice.name}`);
    const kinds = choice.kinds.filter((k) => !this.context.refused(k));
    if (!kinds.length) return; // nothing we can make there: keep what works
    this.offered = f;
    this.tranche = choice;
    const best = kinds[0]!;
    const current = this.context.current();
    if (current && best.fourcc === current.fourcc && best.modifier === current.modifier) return;
    this.pending = kinds;
  }

  /** The kinds to re-allocate with, once (undefined when nothing changed). */
  take(): BufferKind[] | undefined {
    const kinds = this.pending;
    this.pending = undefined;
    return kinds;
  }

  /** Destroys the feedback object (while the connection lives). */
  destroy(): void {
    this.object?.destroy();
  }
}
