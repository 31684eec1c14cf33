// Entry points of the Wayland and KMS presenters for the package root. They load their backend's
// modules (the Wayland client, libdrm bindings) on first call, so an app that renders headless, or
// the demo before it knows its backend, does not pay for parsing them at start-up.
import type { Device } from "../vk/index.js";
import type { FrameLoop } from "./frame-loop.js";
import type { KmsOptions } from "./kms.js";
import type { WaylandPresenterOptions } from "./wayland-open.js";

/** Opens a Wayland window and returns a Presenter for it (see WaylandPresenterOptions); with ownsDevice the presenter destroys the device. */
export async function openWaylandPresenter(device: Device, options: WaylandPresenterOptions, ownsDevice = false): Promise<FrameLoop> {
  const { openWaylandPresenter: open } = await import("./wayland-open.js");
  return open(device, options, ownsDevice);
}

/** Takes a display through KMS and returns a Presenter for it (see KmsOptions); with ownsDevice the presenter destroys the device. */
export async function openKmsPresenter(device: Device, options: KmsOptions = {}, ownsDevice = false): Promise<FrameLoop> {
  const { openKmsPresenter: open } = await import("./kms.js");
  return open(device, options, ownsDevice);
}
