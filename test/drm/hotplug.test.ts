// Output hotplug, host side: the uevent parser, the connector diff and the DRM-hotplug filter on
// made-up data; and a real NETLINK_KOBJECT_UEVENT socket receiving a uevent the kernel sends when a
// device's `uevent` file is written (root only: skipped with the reason otherwise). The DRM
// hotplug itself (a connector toggled) is proven in the VM (test/drm/outputs.vm.test.ts).
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffOutputs, isHotplugOf, type OutputInfo } from "../../src/drm/index.js";
import { parseUevent, UeventSocket, type Uevent } from "../../src/sys/uevent.js";

const datagram = (s: string) => new Uint8Array(Buffer.from(s.replaceAll("|", "\0"), "latin1"));

describe("parseUevent", () => {
  it("reads ACTION@DEVPATH and the KEY=VALUE pairs", () => {
    const ev = parseUevent(datagram("change@/devices/faux/vkms/drm/card0|ACTION=change|DEVPATH=/devices/faux/vkms/drm/card0|SUBSYSTEM=drm|HOTPLUG=1|CONNECTOR=36|DEVNAME=dri/card0|DEVTYPE=drm_minor|SEQNUM=2012|MAJOR=226|MINOR=0|"));
    expect(ev?.action).toBe("change");
    expect(ev?.devpath).toBe("/devices/faux/vkms/drm/card0");
    expect(ev?.vars.get("CONNECTOR")).toBe("36");
    expect(isHotplugOf(ev!, 226, 0)).toBe(true);
    expect(isHotplugOf(ev!, 226, 1)).toBe(false); // another card
  });
  it("ignores udev's re-broadcast format and non-hotplug drm events", () => {
    expect(parseUevent(datagram("libudev|\xfe\xed\xca\xfe"))).toBeUndefined();
    const add = parseUevent(datagram("add@/devices/faux/vkms/drm/card0|SUBSYSTEM=drm|MAJOR=226|MINOR=0|"))!;
    expect(isHotplugOf(add, 226, 0)).toBe(false);
  });
});

const out = (id: number, connected: boolean, modes = 1): OutputInfo => ({
  name: `DP-${id}`, connected, modes: Array(modes).fill({}), preferredMode: undefined, nonDesktop: false, crtcs: [], currentCrtc: undefined,
  planes: { primary: [], overlay: [], cursor: [] },
  connector: { id, type: "DP", typeId: id, name: `DP-${id}`, connection: connected ? "connected" : "disconnected", mmWidth: 0, mmHeight: 0, modes: [], encoders: [], encoder: undefined },
} as unknown as OutputInfo);

describe("diffOutputs", () => {
  it("says which outputs went away and which came, removals first", () => {
    const ev = diffOutputs("/dev/dri/card0", [out(1, true), out(2, true), out(3, false)], [out(1, true), out(2, false), out(3, true)]);
    expect(ev.map((e) => `${e.type} ${e.output.name}`)).toEqual(["output-removed DP-2", "output-added DP-3"]);
  });
  it("treats a connected output without modes as absent, and an unchanged list as no event", () => {
    expect(diffOutputs("d", [out(1, true)], [out(1, true, 0)]).map((e) => e.type)).toEqual(["output-removed"]);
    expect(diffOutputs("d", [out(1, true)], [out(1, true)])).toEqual([]);
  });
});

describe("UeventSocket", () => {
  const root = process.getuid?.() === 0;
  it.skipIf(!root)("receives the kernel's uevent for a synthesized change (needs root to write the uevent file)", async () => {
    const seen: Uevent[] = [];
    const sock = new UeventSocket((e) => seen.push(e));
    try {
      const got = new Promise<void>((resolve, reject) => {
        const t0 = Date.now();
        const tick = () => {
          if (seen.some((e) => e.vars.get("DEVNAME") === "null" && e.action === "change")) resolve();
          else if (Date.now() - t0 > 5000) reject(new Error(`no change uevent for /dev/null in 5 s (saw ${seen.length} events)`));
          else setTimeout(tick, 10);
        };
        tick();
      });
      try {
        writeFileSync("/sys/class/mem/null/uevent", "change");
      } catch (e) {
        console.warn(`cannot write /sys/class/mem/null/uevent (${e}): skipping`);
        return;
      }
      await got;
      const ev = seen.find((e) => e.vars.get("DEVNAME") === "null")!;
      expect(ev.devpath).toBe("/devices/virtual/mem/null");
      expect(ev.vars.get("SUBSYSTEM")).toBe("mem");
    } finally {
      sock.close();
    }
  });
});
