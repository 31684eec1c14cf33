// openPresenter: picks a backend (explicit, or the first of `prefer` that can open here),
// creates the device it needs, and returns a Presenter that owns that device.
import { readdirSync } from "node:fs";
import type { Device, Instance } from "../vk/index.js";
import type { BackendName, Presenter } from "./presenter.js";
import { createHeadlessPresenter } from "./headless.js";
import { FrameLoop } from "./frame-loop.js";
import { logger } from "../util/log.js";
import { BackendUnavailableError, UnavailableError } from "./errors.js";
import { pacingOf, type PacingOptions } from "./pacing.js";
import type { OutputLayout, QuarterTurn } from "../drm/layout.js";
import { checkHdr10Metadata, parseColourChoice, type ColourChoice, type Hdr10Metadata } from "../util/colour.js";

const log = logger("present");

/** A backend name for OpenPresenterOptions.prefer: one of BackendName, or "wayland" for dmabuf with a fallback to shm. */
export type BackendChoice = BackendName | "wayland";

/** Options of openPresenter. Only size is required. The pacing options (presentMode, maxFps, whenHidden, heartbeatHz) reach every backend. */
export interface OpenPresenterOptions extends PacingOptions {
  /** Backends to try in order; the first that opens wins (default: automatic, see defaultBackends). */
  prefer?: readonly BackendChoice[];
  /** Width and height in pixels (a window may be resized by its compositor later). */
  size: readonly [number, number];
  /** Use this device instead of creating one (the presenter then does not destroy it). */
  device?: Device;
  /** Window title (Wayland). */
  title?: string;
  /** KMS: connector name (e.g. "Virtual-1") and mode ("WxH" or "WxH@Hz"). */
  connector?: string;
  mode?: string;
  /** KMS over several outputs: "all" or connector names (then `connector` is not used); see KmsMultiOptions. */
  connectors?: "all" | readonly string[];
  /** KMS over several outputs: "extend" (default, a viewport of one image per output) or "clone". */
  layout?: OutputLayout;
  /** KMS over several outputs: the picture turned counter-clockwise by the planes (0, 90, 180, 270). */
  rotate?: QuarterTurn;
  /** KMS over several outputs: an output unplugged pauses ("pause", default) or ends the loop ("end"). */
  onOutputRemoved?: "pause" | "end";
  /**
   * The colour to encode frames for (default "srgb"): "display-p3", "hdr10" (PQ, BT.2020, 10-bit),
   * "scrgb" (linear, FP16), or "auto" (the compositor's preferred description). A colour the path
   * cannot show becomes the nearest it can; Presenter.colour and FrameStats.colour say which and why.
   */
  color?: ColourChoice;
  /** HDR10 metadata to declare with hdr10 (default DEFAULT_HDR10_METADATA: a 1000-nit mastering display). */
  hdrMetadata?: Hdr10Metadata;
  /** Wayland: render turned as the compositor prefers (WindowOptions.preRotate; the scene must apply RenderTarget.transform). */
  preRotate?: boolean;
}

/**
 * A backend factory: resolves to a Presenter. It throws BackendUnavailableError when the backend
 * cannot work on this machine (automatic choice then tries the next one); any other error is real.
 */
export type BackendOpener = (instance: Instance, options: OpenPresenterOptions & { device: Device; ownsDevice: boolean }) => Promise<Presenter>;

const openers = new Map<BackendName | "wayland", BackendOpener>();
openers.set("headless", async (_instance, o) => createHeadlessPresenter(o.device, { size: o.size, color: o.color, ...pacingOf(o) }, o.ownsDevice));
// Backends with their own protocol stacks load on first use, so a headless run never loads them.
const lazy =
  <M>(load: () => Promise<M>, pick: (m: M) => BackendOpener): BackendOpener =>
  async (instance, o) =>
    pick(await load())(instance, o);
openers.set("wayland", lazy(() => import("./wayland-open.js"), (m) => m.waylandOpener));
openers.set("wayland-shm", lazy(() => import("./wayland-open.js"), (m) => m.waylandShmOpener));
openers.set("wayland-dmabuf", lazy(() => import("./wayland-open.js"), (m) => m.waylandDmabufOpener));
openers.set("kms", async (instance, o) =>
  o.connectors !== undefined
    ? (await import("./kms-multi-open.js")).kmsMultiOpener(instance, { ...o, connectors: o.connectors })
    : (await import("./kms.js")).kmsBackendOpener(instance, o));

/** Lets a backend module make itself available to openPresenter. */
export function registerBackend(name: BackendChoice, opener: BackendOpener): void {
  openers.set(name, opener);
}

/** wayland when WAYLAND_DISPLAY is set, else kms when a DRM card exists; headless always last. */
export function defaultBackends(env: NodeJS.ProcessEnv = process.env, hasCard: () => boolean = hasDrmCard): BackendChoice[] {
  const order: BackendChoice[] = [];
  // KMS only without a compositor: one that runs owns the display.
  if (env.WAYLAND_DISPLAY) order.push("wayland");
  else if (hasCard()) order.push("kms");
  order.push("headless");
  return order;
}

/** Whether /dev/dri has a card node: without one, KMS is not tried (nor its bindings loaded, nor a device made for it). */
function hasDrmCard(): boolean {
  try {
    return readdirSync("/dev/dri").some((n) => /^card\d+$/.test(n));
  } catch {
    return false;
  }
}

/**
 * Opens a Presenter with the first backend in options.prefer that can work here (default: Wayland when WAYLAND_DISPLAY is
 * set, else KMS; then headless). A backend that cannot open (BackendUnavailableError) is skipped with a logged warning;
 * any other error is thrown at once. Throws RangeError for a size that is not two positive integers or an unknown backend
 * name, and BackendUnavailableError listing every reason when none opens (or the only one asked for does not).
 * Without options.device it creates a device on instance, which the presenter destroys when it closes.
 */
export async function openPresenter(instance: Instance, options: OpenPresenterOptions): Promise<Presenter> {
  const [width, height] = options.size;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`openPresenter: size must be two positive integers, got ${width}x${height}`);
  }
  if (options.color !== undefined) parseColourChoice(options.color, "openPresenter: color");
  if (options.hdrMetadata) checkHdr10Metadata(options.hdrMetadata);
  const prefer = options.prefer ?? defaultBackends();
  const skipped: string[] = [];
  for (const name of prefer) {
    const opener = openers.get(name);
    if (!opener) throw new RangeError(`openPresenter: unknown backend "${name}" (known: ${[...openers.keys()].join(", ")})`);
    const device = options.device ?? instance.createDevice();
    try {
      const presenter = await opener(instance, { ...options, device, ownsDevice: !options.device });
      if (options.color && presenter instanceof FrameLoop) presenter.colourAsked(options.color);
      log.info(`presenting with ${presenter.backend}`);
      return presenter;
    } catch (error) {
      if (!options.device) device.destroy();
      // Only "cannot work here" moves on; a bug in a backend must not quietly become a headless run.
      if (!(error instanceof UnavailableError) || prefer.length === 1) throw error;
      skipped.push(error.message);
      log.warn(`skipping ${error.message}`);
    }
  }
  throw new BackendUnavailableError(prefer.join("/"), `no backend could open here: ${skipped.join("; ")}`);
}
