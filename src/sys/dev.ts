// Device numbers and PCI addresses: the 64-bit Linux dev_t (glibc's encoding), the PCI address
// "DDDD:BB:DD.F" as sysfs names devices, and the sysfs look-up from a character device to the
// device behind it. Pure code apart from the sysfs reads, whose reader can be passed in by tests.
import { readlinkSync, realpathSync } from "node:fs";

/** major and minor of a Linux dev_t (glibc's gnu_dev_major / gnu_dev_minor encoding). */
export function devMajorMinor(dev: bigint | number): [major: number, minor: number] {
  const d = BigInt(dev);
  const major = ((d >> 8n) & 0xfffn) | ((d >> 32n) & ~0xfffn);
  const minor = (d & 0xffn) | ((d >> 12n) & ~0xffn);
  return [Number(major & 0xffffffffn), Number(minor & 0xffffffffn)];
}

/** A dev_t from major and minor (glibc's makedev). */
export function makeDev(major: number, minor: number): bigint {
  const M = BigInt(major);
  const m = BigInt(minor);
  return ((M & 0xfffn) << 8n) | ((M & ~0xfffn) << 32n) | (m & 0xffn) | ((m & ~0xffn) << 12n);
}

/** A PCI device address (domain:bus:device.function, as in "0000:01:00.0"); numbers, not hex strings. */
export interface PciAddress {
  domain: number;
  bus: number;
  device: number;
  function: number;
}

/** Parses a sysfs PCI name "DDDD:BB:DD.F" (hex); undefined for anything else (platform devices). */
export function parsePciAddress(name: string): PciAddress | undefined {
  const m = /^([0-9a-f]{4,8}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(name);
  if (!m) return undefined;
  return { domain: parseInt(m[1]!, 16), bus: parseInt(m[2]!, 16), device: parseInt(m[3]!, 16), function: parseInt(m[4]!, 16) };
}

export function formatPciAddress(a: PciAddress): string {
  const h = (v: number, n: number) => v.toString(16).padStart(n, "0");
  return `${h(a.domain, 4)}:${h(a.bus, 2)}:${h(a.device, 2)}.${a.function}`;
}

export function samePciAddress(a: PciAddress | undefined, b: PciAddress | undefined): boolean {
  return !!a && !!b && a.domain === b.domain && a.bus === b.bus && a.device === b.device && a.function === b.function;
}

/** /sys/dev/char/MAJ:MIN/device: the sysfs link to the device behind a character device number. */
export function charDeviceLink(dev: bigint | number): string {
  const [major, minor] = devMajorMinor(dev);
  return `/sys/dev/char/${major}:${minor}/device`;
}

/** The sysfs directory of the device behind a character dev_t; undefined when sysfs does not know it. */
export function charDeviceSysfs(dev: bigint | number): string | undefined {
  try {
    return realpathSync(charDeviceLink(dev));
  } catch {
    return undefined;
  }
}

/**
 * The PCI address of the device behind a character dev_t (a DRM node, a compositor's main_device),
 * read from the /sys/dev/char link; undefined when it is not a PCI device or sysfs does not know it.
 */
export function pciAddressOfDevT(dev: bigint | number, readlink: (path: string) => string = readlinkSync): PciAddress | undefined {
  let link: string;
  try {
    link = readlink(charDeviceLink(dev));
  } catch {
    return undefined;
  }
  return parsePciAddress(link.slice(link.lastIndexOf("/") + 1));
}
