// Which device the compositor renders with, against the one we render on: logged once per window,
// since a mismatch still works but makes every buffer cross devices.
import { readFileSync } from "node:fs";
import type { Device } from "../vk/index.js";
import { devMajorMinor, samePciAddress } from "../sys/dev.js";
import { logger } from "../util/log.js";
import { devTName, matchMainDevice } from "../wayland/dmabuf.js";

const log = logger("present");

/** The /dev name of a character dev_t (`dri/card0`, `dri/renderD128`, `udmabuf`) from sysfs; undefined when sysfs does not know it. */
export function devNodeName(dev: bigint): string | undefined {
  const [major, minor] = devMajorMinor(dev);
  try {
    return /^DEVNAME=(.+)$/m.exec(readFileSync(`/sys/dev/char/${major}:${minor}/uevent`, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}

/**
 * A compositor's main device or a tranche's target for logs and stats: `226:0 dri/card0 (primary
 * node)`, `226:128 dri/renderD128 (render node)`, `10:124 udmabuf` (a compositor that maps dmabufs
 * with the CPU names /dev/udmabuf), or the bare numbers.
 */
export function describeDevT(dev: bigint | undefined, name = dev === undefined ? undefined : devNodeName(dev)): string {
  if (dev === undefined || name === undefined) return devTName(dev);
  const kind = /^dri\/card\d+$/.test(name) ? " (primary node)" : /^dri\/renderD\d+$/.test(name) ? " (render node)" : "";
  return `${devTName(dev)} ${name}${kind}`;
}

/** Whether a dev_t is /dev/udmabuf: buffers for it are plain memory, which a CPU device (lavapipe) exports through udmabuf. */
export function isUdmabuf(dev: bigint | undefined, name: string | undefined = dev === undefined ? undefined : devNodeName(dev)): boolean {
  return name === "udmabuf";
}

/**
 * Says whether `device` is the compositor's main device. The device is already chosen here (the
 * caller made it), so a mismatch is logged: buffers still work but may cross devices.
 */
export function logDeviceMatch(device: Device, mainDevice: bigint | undefined): void {
  if (isUdmabuf(mainDevice)) {
    const fits = device.physical.type === "cpu" ? `; ${device.physical.name} exports udmabufs, which is what it takes` : "";
    log.info(`wayland-dmabuf: device: main device ${describeDevT(mainDevice)}: the compositor maps dmabufs with the CPU${fits}`);
    return;
  }
  const renderable = device.instance.physicalDevices().filter((p) => p.graphicsQueueFamily !== undefined);
  const match = matchMainDevice(mainDevice, renderable.length ? renderable : [device.physical]);
  if (!match.matched) {
    const same = match.device.name === device.physical.name;
    log.info(`wayland-dmabuf: device: ${match.reason}${same ? "" : `; the caller's device is ${device.physical.name}`}`);
  } else if (samePciAddress(device.physical.pciBusInfo, match.device.pciBusInfo)) log.info(`wayland-dmabuf: device: ${match.reason}`);
  else log.warn(`wayland-dmabuf: ${match.reason}, but we render on ${device.physical.name}: buffers cross devices`);
}

