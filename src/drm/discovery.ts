// Finding DRM devices through /dev/dri and sysfs: which nodes belong to one device, its driver and
// its bus. Opens nothing.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { charDeviceSysfs, parsePciAddress, pciAddressOfDevT, type PciAddress } from "../sys/dev.js";

/** Where a DRM device sits: a PCI address (domain, bus, slot, function) with vendor and device ids, or the name of a platform or virtual device. */
export type BusInfo =
  | ({ type: "pci"; vendorId?: number; deviceId?: number } & PciAddress)
  | { type: "platform"; name: string }
  | { type: "faux"; name: string }
  | { type: string; name: string };

/** One DRM device found by listDevices(): its nodes under /dev/dri, kernel driver name (e.g. "i915", "vkms") and bus. */
export interface DeviceInfo {
  /** /dev/dri/cardN, the node for modesetting. */
  primary?: string;
  /** /dev/dri/renderDN, the node for rendering only. */
  render?: string;
  driver?: string;
  bus: BusInfo;
  /** sysfs path of the underlying device, the key that groups nodes. */
  sysfs: string;
}

const DRI = "/dev/dri";

function busInfo(sysfs: string): BusInfo {
  let subsystem = "unknown";
  try {
    subsystem = basename(realpathSync(join(sysfs, "subsystem")));
  } catch {
    /* virtual devices have no subsystem link */
  }
  const name = basename(sysfs);
  const pci = subsystem === "pci" ? parsePciAddress(name) : undefined;
  if (!pci) return { type: subsystem, name };
  const hex = (file: string) => {
    try {
      return parseInt(readFileSync(join(sysfs, file), "utf8").trim(), 16);
    } catch {
      return undefined;
    }
  };
  return { type: "pci", ...pci, vendorId: hex("vendor"), deviceId: hex("device") };
}

function driverName(sysfs: string, bus: BusInfo): string | undefined {
  try {
    const driver = basename(realpathSync(join(sysfs, "driver")));
    // Every faux-bus device (vkms since 6.15) binds the bus's stub "faux_driver": its name says more
    return bus.type === "faux" ? basename(sysfs) : driver;
  } catch {
    // Virtual devices without a bound driver (vkms before 6.15, a platform device): name the device.
    return sysfs.startsWith("/sys/devices/") ? basename(sysfs) : undefined;
  }
}

/**
 * DRM devices of this machine, each with its primary and render nodes and bus info. [] without DRM.
 * `driver` is the bound driver's name, except on the faux bus (vkms since 6.15), where every device
 * binds the same stub and the device's name is given instead ("vkms", or a configfs device's name).
 */
export function listDevices(): DeviceInfo[] {
  if (!existsSync(DRI)) return [];
  const byDevice = new Map<string, DeviceInfo>();
  for (const node of readdirSync(DRI).sort()) {
    const isCard = /^card\d+$/.test(node);
    if (!isCard && !/^renderD\d+$/.test(node)) continue;
    const path = join(DRI, node);
    let sysfs: string | undefined;
    try {
      sysfs = charDeviceSysfs(statSync(path, { bigint: true }).rdev);
    } catch {
      /* the node went away meanwhile */
    }
    sysfs ??= path;
    let info = byDevice.get(sysfs);
    if (!info) {
      const bus = busInfo(sysfs);
      byDevice.set(sysfs, (info = { bus, driver: driverName(sysfs, bus), sysfs }));
    }
    if (isCard) info.primary = path;
    else info.render = path;
  }
  return [...byDevice.values()];
}

/** The PCI address of the device behind a DRM node; undefined for platform and virtual devices. */
export function pciAddressOfNode(node: string): PciAddress | undefined {
  try {
    return pciAddressOfDevT(statSync(node, { bigint: true }).rdev);
  } catch {
    return undefined;
  }
}

/** Why there is no device to open, naming /dev/dri. */
export function noDeviceReason(): string {
  return existsSync(DRI)
    ? `no DRM device: ${DRI} has no card* node`
    : `no DRM device: ${DRI} does not exist (this kernel has no DRM driver loaded)`;
}
