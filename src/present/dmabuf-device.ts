// Which device the compositor renders with, against the one we render on: logged once per window,
// since a mismatch still works but makes every buffer cross devices.
import type { Device } from "../vk/index.js";
import { samePciAddress } from "../sys/dev.js";
import { logger } from "../util/log.js";
import { matchMainDevice } from "../wayland/dmabuf.js";

const log = logger("present");

/**
 * Says whether `device` is the compositor's main device. The device is already chosen here (the
 * caller made it), so a mismatch is logged: buffers still work but may cross devices.
 */
export function logDeviceMatch(device: Device, mainDevice: bigint | undefined): void {
  const renderable = device.instance.physicalDevices().filter((p) => p.graphicsQueueFamily !== undefined);
  const match = matchMainDevice(mainDevice, renderable.length ? renderable : [device.physical]);
  if (!match.matched) {
    const same = match.device.name === device.physical.name;
    log.info(`wayland-dmabuf: device: ${match.reason}${same ? "" : `; the caller's device is ${device.physical.name}`}`);
  } else if (samePciAddress(device.physical.pciBusInfo, match.device.pciBusInfo)) log.info(`wayland-dmabuf: device: ${match.reason}`);
  else log.warn(`wayland-dmabuf: ${match.reason}, but we render on ${device.physical.name}: buffers cross devices`);
}

