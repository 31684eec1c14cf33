// Opening the KMS presenter (kms.ts): the openPresenter hook, openKmsPresenter, and the log line
// saying whether the renderer is the display's own device.
import type { Device } from "../vk/index.js";
import { formatPciAddress, samePciAddress } from "../sys/dev.js";
import { logger } from "../util/log.js";
import type { ColourChoice, Hdr10Metadata } from "../util/colour.js";
import { pciAddressOfNode, type DrmDevice } from "../drm/index.js";
import { openFrameLoop, type FrameLoop } from "./frame-loop.js";
import { pacingOf, type PacingOptions } from "./pacing.js";
import { KmsBackend } from "./kms.js";
import type { KmsOptions } from "./kms-options.js";

const log = logger("present");

/** Says whether the Vulkan device is the display's device (same PCI address); a software renderer has none. */
export function logDeviceMatch(device: Device, drm: DrmDevice): void {
  const ours = device.physical.pciBusInfo;
  const display = pciAddressOfNode(drm.path);
  const how = !ours ? "no PCI address (a software renderer)"
    : !display ? `${drm.path} is not a PCI device`
    : samePciAddress(ours, display) ? `the same device as ${drm.path}`
    : `not ${drm.path}'s device (${formatPciAddress(display)})`;
  log.info(`kms: rendering on ${device.physical.name}: ${how}; frames reach the display as dmabufs`);
}

/** For openPresenter: `registerBackend("kms", kmsBackendOpener)`. */
export const kmsBackendOpener = async (
  _instance: unknown,
  o: { device: Device; ownsDevice: boolean; size: readonly [number, number]; connector?: string; mode?: string; color?: ColourChoice; hdrMetadata?: Hdr10Metadata } & PacingOptions,
): Promise<FrameLoop> =>
  openKmsPresenter(o.device, { size: o.size, connector: o.connector, mode: o.mode, color: o.color, hdrMetadata: o.hdrMetadata, ...pacingOf(o) }, o.ownsDevice);

/**
 * A KMS Presenter: `openKmsPresenter(device, { connector, mode, size, color })`. When KMS cannot work on this
 * machine (no DRM device, no permission on the node, another process is DRM master, no atomic
 * modesetting, no display connected) it throws BackendUnavailableError, so automatic backend choice
 * moves on; any other error is a real failure and propagates unchanged.
 */
export async function openKmsPresenter(device: Device, options: KmsOptions = {}, ownsDevice = false): Promise<FrameLoop> {
  return openFrameLoop("kms", () => KmsBackend.open(device, options), ownsDevice, device);
}
