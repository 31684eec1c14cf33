// Matching the compositor's main_device (a dev_t from dmabuf feedback) to a Vulkan physical device
// through the PCI address behind /sys/dev/char/MAJ:MIN/device, on crafted inputs.
import { describe, expect, it } from "vitest";
import { devMajorMinor, parsePciAddress, pciAddressOfDevT } from "../../src/sys/dev.js";
import { matchMainDevice } from "../../src/wayland/dmabuf.js";

/** glibc's makedev. */
function makedev(major: number, minor: number): bigint {
  const M = BigInt(major);
  const m = BigInt(minor);
  return ((M & 0xfffn) << 8n) | ((M & ~0xfffn) << 32n) | (m & 0xffn) | ((m & ~0xffn) << 12n);
}

/** A fake sysfs: /sys/dev/char/MAJ:MIN/device -> link target. */
function sysfs(links: Record<string, string>) {
  return (path: string) => {
    const m = /^\/sys\/dev\/char\/(\d+:\d+)\/device$/.exec(path);
    const target = m && links[m[1]!];
    if (!target) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    return target;
  };
}

const amd = { name: "AMD Radeon", pciBusInfo: { domain: 0, bus: 3, device: 0, function: 0 } };
const intel = { name: "Intel UHD", pciBusInfo: { domain: 0, bus: 0, device: 2, function: 0 } };
const llvmpipe = { name: "llvmpipe", pciBusInfo: undefined };

describe("dmabuf main_device matching", () => {
  it("decodes dev_t like glibc, large numbers included", () => {
    expect(devMajorMinor(makedev(226, 128))).toEqual([226, 128]);
    expect(devMajorMinor(makedev(226, 0))).toEqual([226, 0]);
    expect(devMajorMinor(makedev(4097, 1048575))).toEqual([4097, 1048575]);
    expect(devMajorMinor(0xe280n)).toEqual([226, 128]); // the classic 16-bit encoding
  });

  it("parses sysfs PCI names and rejects others", () => {
    expect(parsePciAddress("0000:03:00.0")).toEqual({ domain: 0, bus: 3, device: 0, function: 0 });
    expect(parsePciAddress("10000:af:1f.7")).toEqual({ domain: 0x10000, bus: 0xaf, device: 0x1f, function: 7 });
    expect(parsePciAddress("vkms")).toBeUndefined();
    expect(parsePciAddress("0000:03:00.8")).toBeUndefined();
    expect(parsePciAddress("0000:03:00")).toBeUndefined();
  });

  it("reads the PCI address behind the device link", () => {
    const read = sysfs({ "226:128": "../../../0000:03:00.0" });
    expect(pciAddressOfDevT(makedev(226, 128), read)).toEqual({ domain: 0, bus: 3, device: 0, function: 0 });
    expect(pciAddressOfDevT(makedev(226, 129), read)).toBeUndefined();
  });

  it("picks the Vulkan device at the main device's PCI address, not the first", () => {
    const read = sysfs({ "226:128": "../../../0000:00:02.0", "226:129": "../../../0000:03:00.0" });
    const m = matchMainDevice(makedev(226, 129), [intel, amd, llvmpipe], read);
    expect(m).toMatchObject({ device: amd, matched: true });
    expect(m.reason).toBe("main device 226:129 at 0000:03:00.0 is AMD Radeon");
    expect(matchMainDevice(makedev(226, 128), [amd, intel], read)).toMatchObject({ device: intel, matched: true });
  });

  it("falls back to the first device, saying why", () => {
    const read = sysfs({ "226:128": "../../../0000:07:00.0", "226:0": "../../../platform/vkms" });
    const none = matchMainDevice(undefined, [llvmpipe, amd], read);
    expect(none).toMatchObject({ device: llvmpipe, matched: false });
    expect(none.reason).toMatch(/names no main device.*falling back to the first device, llvmpipe/);
    const platform = matchMainDevice(makedev(226, 0), [llvmpipe], read);
    expect(platform).toMatchObject({ device: llvmpipe, matched: false });
    expect(platform.reason).toMatch(/226:0 is not a PCI device/);
    const elsewhere = matchMainDevice(makedev(226, 128), [amd, llvmpipe], read);
    expect(elsewhere).toMatchObject({ device: amd, matched: false });
    expect(elsewhere.reason).toMatch(/no Vulkan device is at 0000:07:00.0/);
    expect(matchMainDevice(makedev(1, 3), [amd], read).matched).toBe(false); // no sysfs entry
    expect(() => matchMainDevice(makedev(226, 128), [], read)).toThrow(/no candidate/);
  });
});
