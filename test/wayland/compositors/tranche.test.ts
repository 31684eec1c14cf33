// Which dmabuf feedback tranche buffers come from, and per-surface feedback that changes (a scanout
// tranche appearing, as when a window goes fullscreen on a DRM compositor). No compositor on our test
// beds sends more than one tranche or changes its feedback (KWin 5.27 in the VM: one feedback, device
// 0:0), so the compositor side is scripted through the real parser here.
import { describe, expect, it } from "vitest";
import { chooseTranche } from "../../../src/present/dmabuf-buffers.js";
import { describeDevT, isUdmabuf } from "../../../src/present/dmabuf-device.js";
import { isDeviceOf } from "../../../src/present/dmabuf-surface-feedback.js";
import type { Device } from "../../../src/vk/index.js";
import { dup } from "../../../src/sys/libc.js";
import { SharedMemory } from "../../../src/sys/memfd.js";
import { socketPair } from "../../../src/sys/socket.js";
import { DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888, MOD_LINEAR } from "../../../src/util/fourcc.js";
import { Connection } from "../../../src/wayland/connection.js";
import { type DmabufFormats, type DmabufTranche, listenFeedback } from "../../../src/wayland/dmabuf.js";
import { ZwpLinuxDmabufFeedbackV1TrancheFlags, ZwpLinuxDmabufV1 } from "../../../src/wayland/protocol/linux-dmabuf-v1.js";
import { encodeMessage, type WireValue } from "../../../src/wayland/wire.js";

const TRANCHE_SCANOUT = ZwpLinuxDmabufFeedbackV1TrancheFlags.scanout;

const X_TILED = 0x0100000000000001n;
const tranche = (dev: bigint | undefined, flags: number, f: [number, bigint[]][]): DmabufTranche => ({ targetDevice: dev, flags, formats: new Map(f.map(([k, m]) => [k, new Set(m)])) });
const feedback = (main: bigint, tranches: DmabufTranche[]): DmabufFormats => ({ formats: new Map(), mainDevice: main, source: "v4 default feedback", tranches, tableEntries: 0 });

describe("chooseTranche", () => {
  it("takes the first tranche targeting our device, then the main device's, then any usable one", () => {
    const scanoutOther = tranche(0xe281n, TRANCHE_SCANOUT, [[DRM_FORMAT_XRGB8888, [MOD_LINEAR]]]);
    const main = tranche(0xe280n, 0, [[DRM_FORMAT_ARGB8888, [MOD_LINEAR]]]);
    const ours = tranche(0xe282n, 0, [[DRM_FORMAT_XRGB8888, [MOD_LINEAR]]]);
    const f = feedback(0xe280n, [scanoutOther, main, ours]);
    expect(chooseTranche(f, [], (d) => d === 0xe282n)).toMatchObject({ index: 2, name: "#2 device 226:130, 1 formats (targets our device)" });
    expect(chooseTranche(f, [], () => false)).toMatchObject({ index: 1, name: "#1 device 226:128, 1 formats (targets the compositor's main device)" });
    // a tranche with nothing we can make (only a tiled modifier our driver lacks) is passed over
    const tiledOnly = feedback(0xe280n, [tranche(0xe280n, 0, [[DRM_FORMAT_XRGB8888, [X_TILED]]]), scanoutOther]);
    expect(chooseTranche(tiledOnly, [MOD_LINEAR], () => false)).toMatchObject({ index: 1, name: "#1 device 226:129 scanout, 1 formats (the compositor's first usable tranche)" });
  });

  it("says what the chosen tranche is for: scanout, render, or none (v3 formats, or no tranche fits alone)", () => {
    const scanout = tranche(0xe200n, TRANCHE_SCANOUT, [[DRM_FORMAT_XRGB8888, [MOD_LINEAR]]]);
    const render = tranche(0xe200n, 0, [[DRM_FORMAT_XRGB8888, [MOD_LINEAR]]]);
    expect(chooseTranche(feedback(0xe200n, [scanout, render]), [], () => false).role).toBe("scanout");
    expect(chooseTranche(feedback(0xe200n, [render]), [], () => false).role).toBe("render");
    // a scanout tranche with only a format we cannot make: buffers stay in the render tranche
    const argbOnly = tranche(0xe200n, TRANCHE_SCANOUT, [[DRM_FORMAT_ARGB8888, [X_TILED]]]);
    expect(chooseTranche(feedback(0xe200n, [argbOnly, render]), [MOD_LINEAR], () => false)).toMatchObject({ index: 1, role: "render" });
    const v3: DmabufFormats = { formats: render.formats, mainDevice: undefined, source: "v3 events", tranches: [render], tableEntries: 0 };
    expect(chooseTranche(v3, [], () => false).role).toBe("none");
  });
});

describe("main device names", () => {
  it("names a primary node, a render node and /dev/udmabuf (which a CPU device's exports fit)", () => {
    expect(describeDevT(0xe200n, "dri/card0")).toBe("226:0 dri/card0 (primary node)");
    expect(describeDevT(0xe280n, "dri/renderD128")).toBe("226:128 dri/renderD128 (render node)");
    expect(describeDevT(0xa7cn, "udmabuf")).toBe("10:124 udmabuf");
    expect(describeDevT(undefined)).toBe("unknown");
    expect(isUdmabuf(0xa7cn, "udmabuf")).toBe(true);
    expect(isUdmabuf(0xe200n, "dri/card0")).toBe(false);
    expect(isUdmabuf(undefined)).toBe(false);
    // a tranche for /dev/udmabuf is lavapipe's own (a CPU device exports udmabufs), never a GPU's
    const physical = (type: string) => ({ physical: { type, pciBusInfo: undefined } }) as unknown as Pick<Device, "physical">;
    expect(isDeviceOf(physical("cpu"), 0xa7cn, "udmabuf")).toBe(true);
    expect(isDeviceOf(physical("discrete-gpu"), 0xa7cn, "udmabuf")).toBe(false);
    expect(isDeviceOf(physical("cpu"), 0xe200n, "dri/card0")).toBe(false);
  });
});

function event(conn: Connection, id: number, name: string, args: WireValue[], fds: number[] = []): void {
  const obj = conn.objects.get(id)!;
  const opcode = obj.spec.events.findIndex((e) => e.name === name);
  conn.feed(encodeMessage(id, opcode, obj.spec.events[opcode]!, args, []), fds);
}
const u16s = (...v: number[]) => new Uint8Array(new Uint16Array(v).buffer);
const u64 = (v: bigint) => new Uint8Array(new BigUint64Array([v]).buffer);

describe("per-surface feedback", () => {
  it("reports each done with its tranches, so a scanout tranche appearing is seen", async () => {
    const [a, b] = socketPair();
    const conn = Connection.fromSocket(a);
    const table: [number, bigint][] = [
      [DRM_FORMAT_XRGB8888, MOD_LINEAR],
      [DRM_FORMAT_XRGB8888, X_TILED],
    ];
    const mem = SharedMemory.create("table", table.length * 16);
    try {
      const v = new DataView(mem.buffer);
      table.forEach(([f, m], i) => {
        v.setUint32(i * 16, f, true);
        v.setBigUint64(i * 16 + 8, m, true);
      });
      const dmabuf = conn.allocate(ZwpLinuxDmabufV1, 4);
      const fb = dmabuf.get_default_feedback(); // same events as a surface's
      const seen: DmabufFormats[] = [];
      listenFeedback(fb, "v4 surface feedback", (f) => seen.push(f), (e) => {
        throw e;
      });
      const send = (tranches: [bigint, number, number[]][]) => {
        event(conn, fb.id, "format_table", [mem.fd, mem.size], [dup(mem.fd)]);
        event(conn, fb.id, "main_device", [u64(0xe280n)]);
        for (const [dev, flags, idx] of tranches) {
          event(conn, fb.id, "tranche_target_device", [u64(dev)]);
          event(conn, fb.id, "tranche_formats", [u16s(...idx)]);
          event(conn, fb.id, "tranche_flags", [flags]);
          event(conn, fb.id, "tranche_done", []);
        }
        event(conn, fb.id, "done", []);
      };
      send([[0xe280n, 0, [0, 1]]]);
      send([
        [0xe280n, TRANCHE_SCANOUT, [1]],
        [0xe280n, 0, [0, 1]],
      ]);
      expect(seen.length).toBe(2);
      expect(seen[0]!.tranches.map((t) => t.flags)).toEqual([0]);
      expect(seen[1]!.tranches.map((t) => t.flags)).toEqual([TRANCHE_SCANOUT, 0]);
      expect([...seen[1]!.tranches[0]!.formats.get(DRM_FORMAT_XRGB8888)!]).toEqual([X_TILED]);
      // a driver with the tiled modifier now prefers the scanout tranche's kind: the backend re-allocates
      expect(chooseTranche(seen[0]!, [MOD_LINEAR, X_TILED], () => false).kinds[0]!.modifier).toBe(MOD_LINEAR);
      const next = chooseTranche(seen[1]!, [MOD_LINEAR, X_TILED], () => false);
      expect(next.name).toMatch(/^#0 device 226:128 scanout/);
      expect(next.kinds[0]!.modifier).toBe(X_TILED);
    } finally {
      mem.close();
      await conn.close();
      b.close();
    }
  });
});
