// vkms devices built through configfs (kernel 7.x in the VM): the topology we describe is what the
// kernel's mode resources list, and a connector's status written while the device runs is a hotplug
// the kernel reports. Runs beside vkms's default device (card0) in the ordinary vkms boot, or alone
// with VMTEST_VKMS=configfs; skips where configfs has no vkms (6.12, the host).
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DrmDevice, writebackConnectors } from "../../src/drm/index.js";
import { outputsTopology, VkmsConfigfsDevice, vkmsConfigfsSkipReason, type VkmsTopology } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason();
if (skipWhy) console.warn(`[vkms-configfs.vm.test] skipped: ${skipWhy}`);

/** The device's KMS objects as the kernel lists them to a client that sees writeback connectors. */
function kernelView(card: string) {
  const drm = DrmDevice.open(card);
  try {
    const res = drm.resources();
    const connectors = res.connectors.map((id) => drm.connector(id)).filter((c) => c.type !== "Writeback");
    const planes = drm.planes().map((id) => drm.plane(id, res.crtcs));
    const writeback = writebackConnectors(drm);
    return { driver: drm.version().name, crtcs: res.crtcs, encoders: res.encoders, connectors, planes, writeback };
  } finally {
    drm.close();
  }
}

describe.skipIf(!!skipWhy)("vkms through configfs (VM, kernel 7.x)", () => {
  let dev: VkmsConfigfsDevice | undefined;
  afterEach(() => {
    dev?.destroy();
    dev = undefined;
  });

  it("two outputs: two CRTCs, connectors, primary planes and writeback connectors in the mode resources", async () => {
    dev = await VkmsConfigfsDevice.create("scanout-two", outputsTopology(2));
    expect(existsSync(dev.card)).toBe(true);
    const k = kernelView(dev.card);
    expect(k.driver).toBe("vkms");
    expect(k.crtcs).toHaveLength(2);
    expect(k.connectors.map((c) => c.connection)).toEqual(["connected", "connected"]);
    expect(k.connectors.map((c) => c.name)).toEqual([dev.connector(0).name, dev.connector(1).name]);
    expect(k.connectors.map((c) => c.id)).toEqual([dev.connector(0).id, dev.connector(1).id]);
    for (const c of k.connectors) expect(c.modes.length, `${c.name} has modes`).toBeGreaterThan(0);
    expect(k.planes.map((p) => p.type)).toEqual(["Primary", "Primary"]);
    // one plane per CRTC, each only on its own
    expect(k.planes.map((p) => p.possibleCrtcs)).toEqual([[k.crtcs[0]], [k.crtcs[1]]]);
    expect(k.writeback.map((w) => w.possibleCrtcs)).toEqual([[k.crtcs[0]], [k.crtcs[1]]]);
    const card = dev.card;
    dev.destroy();
    expect(existsSync(card), "the card goes away with the device").toBe(false);
    expect(existsSync("/sys/kernel/config/vkms/scanout-two")).toBe(false);
  });

  it("three outputs with an overlay and a cursor each; one starts disconnected", async () => {
    dev = await VkmsConfigfsDevice.create("scanout-three", outputsTopology(3, { overlays: 1, cursor: true, status: ["connected", "connected", "disconnected"] }));
    const k = kernelView(dev.card);
    expect(k.crtcs).toHaveLength(3);
    expect(k.encoders).toHaveLength(3 + 3); // ours and the writeback connectors' own
    expect(k.connectors.map((c) => c.connection)).toEqual(["connected", "connected", "disconnected"]);
    expect(k.planes.filter((p) => p.type === "Primary")).toHaveLength(3);
    expect(k.planes.filter((p) => p.type === "Overlay")).toHaveLength(3);
    expect(k.planes.filter((p) => p.type === "Cursor")).toHaveLength(3);
    expect(k.writeback).toHaveLength(3);
    expect(dev.sysfsStatus(2)).toBe("disconnected");
  });

  it("hotplug: a connector's status written while the device runs is what the kernel reports, the others unchanged", async () => {
    dev = await VkmsConfigfsDevice.create("scanout-hotplug", outputsTopology(2, { writeback: false }));
    const drm = DrmDevice.open(dev.card);
    try {
      const [a, b] = [dev.connector(0).id, dev.connector(1).id];
      const state = () => [a, b].map((id) => drm.connector(id).connection);
      expect(state()).toEqual(["connected", "connected"]);
      for (let i = 0; i < 3; i++) {
        dev.setStatus(1, "disconnected");
        expect(dev.status(1)).toBe("disconnected");
        expect(state()).toEqual(["connected", "disconnected"]);
        expect(dev.sysfsStatus(1)).toBe("disconnected");
        expect(drm.connector(b).modes, "a disconnected connector lists no modes").toHaveLength(0);
        dev.setStatus(1, "connected");
        expect(state()).toEqual(["connected", "connected"]);
        expect(drm.connector(b).modes.length).toBeGreaterThan(0);
      }
    } finally {
      drm.close();
    }
  });

  it("a topology the kernel would refuse is named before anything is made; a refused enable leaves nothing behind", async () => {
    const noPrimary: VkmsTopology = { crtcs: [{}], planes: [{ type: "overlay", crtcs: [0] }], encoders: [{ crtcs: [0] }], connectors: [{ encoders: [0] }] };
    await expect(VkmsConfigfsDevice.create("scanout-bad", noPrimary)).rejects.toThrow(/crtc 0 has 0 primary planes/);
    await expect(VkmsConfigfsDevice.create("scanout-bad", { ...outputsTopology(1), connectors: [{ encoders: [3] }] })).rejects.toThrow(/connector 0 links to encoder 3, but there are 1/);
    expect(existsSync("/sys/kernel/config/vkms/scanout-bad")).toBe(false);
    // vkms's default device keeps its name to itself
    await expect(VkmsConfigfsDevice.create("default", outputsTopology(1))).rejects.toThrow(/not "default"/);
  });

  it("a device left behind by a dead test is replaced, not an error", async () => {
    const first = await VkmsConfigfsDevice.create("scanout-stale", outputsTopology(1));
    // no destroy(): as if the test had died
    dev = await VkmsConfigfsDevice.create("scanout-stale", outputsTopology(2));
    expect(kernelView(dev.card).crtcs).toHaveLength(2);
    expect(readFileSync("/sys/kernel/config/vkms/scanout-stale/enabled", "utf8").trim()).toBe("1");
    first.destroy(); // retired by the second create(): it must not take the new device with it
    expect(existsSync(dev.card)).toBe(true);
  });
});
