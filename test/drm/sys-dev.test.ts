// src/sys/dev.ts, the one place for dev_t and PCI addresses (DRM discovery and Wayland main_device
// matching both use it): checked against this machine's real device numbers and sysfs, and on
// crafted values for what this machine lacks (large dev_t numbers, PCI DRM devices).
import { readFileSync, statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  charDeviceLink, charDeviceSysfs, devMajorMinor, formatPciAddress, makeDev, parsePciAddress, pciAddressOfDevT, samePciAddress,
} from "../../src/sys/dev.js";

describe("dev_t", () => {
  it("decodes the kernel's device numbers as sysfs names them", () => {
    for (const [node, name] of [["/dev/null", "null"], ["/dev/zero", "zero"], ["/dev/tty", "tty"]] as const) {
      const rdev = statSync(node, { bigint: true }).rdev;
      const [major, minor] = devMajorMinor(rdev);
      const uevent = readFileSync(`/sys/dev/char/${major}:${minor}/uevent`, "utf8");
      expect(uevent, `${node} is ${major}:${minor}`).toContain(`DEVNAME=${name}\n`);
      expect(devMajorMinor(Number(rdev))).toEqual([major, minor]); // fs.Stats without bigint gives a number
    }
    expect(devMajorMinor(statSync("/dev/null", { bigint: true }).rdev)).toEqual([1, 3]);
  });

  it("round-trips glibc's makedev, numbers beyond 8/12 bits included", () => {
    for (const [major, minor] of [[226, 0], [226, 128], [4097, 1048575], [0xfffff, 0xfffff]] as const)
      expect(devMajorMinor(makeDev(major, minor))).toEqual([major, minor]);
    expect(devMajorMinor(0xe280n)).toEqual([226, 128]); // the classic 16-bit encoding
    expect(charDeviceLink(makeDev(226, 128))).toBe("/sys/dev/char/226:128/device");
  });

  it("finds the device behind a character device in sysfs, or says there is none", () => {
    // /dev/null is a memory device with no device link; a number nobody uses has no sysfs entry
    expect(charDeviceSysfs(statSync("/dev/null", { bigint: true }).rdev)).toBeUndefined();
    expect(charDeviceSysfs(makeDev(4000, 4000))).toBeUndefined();
  });
});

describe("PCI addresses", () => {
  it("parses and prints sysfs PCI names and rejects others", () => {
    expect(parsePciAddress("0000:03:00.0")).toEqual({ domain: 0, bus: 3, device: 0, function: 0 });
    expect(parsePciAddress("10000:af:1f.7")).toEqual({ domain: 0x10000, bus: 0xaf, device: 0x1f, function: 7 });
    for (const other of ["vkms", "0000:03:00.8", "0000:03:00", "00:00:0.0", "serial8250"]) expect(parsePciAddress(other)).toBeUndefined();
    expect(formatPciAddress({ domain: 0, bus: 0xaf, device: 2, function: 1 })).toBe("0000:af:02.1");
    expect(formatPciAddress(parsePciAddress("10000:af:1f.7")!)).toBe("10000:af:1f.7");
    expect(samePciAddress(parsePciAddress("0000:03:00.0"), { domain: 0, bus: 3, device: 0, function: 0 })).toBe(true);
    expect(samePciAddress(parsePciAddress("0000:03:00.0"), parsePciAddress("0000:03:00.1"))).toBe(false);
    expect(samePciAddress(undefined, undefined)).toBe(false);
  });

  it("reads the PCI address behind a device number", () => {
    // this machine has no PCI character devices: a crafted sysfs link stands in for one
    const links: Record<string, string> = { "/sys/dev/char/226:128/device": "../../../0000:03:00.0" };
    const readlink = (path: string) => {
      const target = links[path];
      if (!target) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
      return target;
    };
    expect(pciAddressOfDevT(makeDev(226, 128), readlink)).toEqual({ domain: 0, bus: 3, device: 0, function: 0 });
    expect(pciAddressOfDevT(makeDev(226, 129), readlink)).toBeUndefined();
    // and the real sysfs: /dev/tty has no device behind it at all
    expect(pciAddressOfDevT(statSync("/dev/tty", { bigint: true }).rdev)).toBeUndefined();
  });
});
