// Opening the KMS presenter over several outputs (kms-multi.ts) as a Presenter, and for openPresenter.
import type { Device } from "../vk/index.js";
import type { OutputLayout } from "../drm/index.js";
import { openFrameLoop, type FrameLoop } from "./frame-loop.js";
import { pacingOf, type PacingOptions } from "./pacing.js";
import { KmsMultiBackend } from "./kms-multi.js";
import type { KmsMultiOptions } from "./kms-options.js";

/** For openPresenter: the "kms" backend when `connectors` is given. */
export const kmsMultiOpener = async (
  _instance: unknown,
  o: { device: Device; ownsDevice: boolean; connectors: "all" | readonly string[]; layout?: OutputLayout; rotate?: KmsMultiOptions["rotate"]; mode?: string; onOutputRemoved?: "pause" | "end" } & PacingOptions,
): Promise<FrameLoop> => openKmsMultiPresenter(o.device, { connectors: o.connectors, layout: o.layout, rotate: o.rotate, mode: o.mode, onOutputRemoved: o.onOutputRemoved, ...pacingOf(o) }, o.ownsDevice);

/** A Presenter over several outputs: `openKmsMultiPresenter(device, { connectors: "all", layout: "extend" })`. */
export async function openKmsMultiPresenter(device: Device, options: KmsMultiOptions, ownsDevice = false): Promise<FrameLoop> {
  return openFrameLoop("kms", () => KmsMultiBackend.open(device, options), ownsDevice, device);
}
