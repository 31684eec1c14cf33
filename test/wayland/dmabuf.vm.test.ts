// dmabuf end to end, only where the kernel has udmabuf (the VM: test/vm/run-in-vm.sh): Weston with
// the GL renderer advertises zwp_linux_dmabuf_v1 v3; lavapipe images exported as dmabufs are
// imported and shown. Success is judged by a screenshot compared with the headless render of the
// same frame, with validation on, no validation messages and no descriptor left open.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { BackendUnavailableError, Format, Image, ImageUsage, Instance, type Pixels } from "../../src/index.js";
import { close as closeFd, openFdCount } from "../../src/sys/libc.js";
import { Connection } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { ZwpLinuxDmabufV1 } from "../../src/wayland/protocol/linux-dmabuf-v1.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import type { WaylandDmabufOptions } from "../../src/present/wayland-dmabuf.js";
import { startWeston, type Weston, westonAvailable, westonFresh } from "../../scripts/testbed/weston.js";
import { compare, coverage, dmabufRejection, fdsLeakedSince, openFds, renderHeadless, runScene } from "./vm-present.js";

/**
 * Under emulation Weston GL can take over a second for a frame callback; the default 1 Hz heartbeat
 * would then render a frame it does not commit, and these tests count commits exactly.
 */
const HEARTBEAT_HZ = 0.1;

const SIZE = [640, 480] as const;
const FRAMES = 4;
const inVm = existsSync("/dev/udmabuf");

// Each test gets a Weston of its own (westonFresh: without a seat, Weston 14's kiosk shell crashed on
// the first commit of a client after another's window was destroyed). One retry stays for what
// emulation still does now and then (a client dropped mid-test, ECONNRESET); a failure of ours fails twice.
describe.skipIf(!inVm || !westonAvailable)("wayland-dmabuf presenter (VM: udmabuf + Weston GL)", { retry: 1 }, () => {
  let weston: Weston;
  let gpu: Instance;
  let ref: Pixels;
  /** Why this compositor does not import our dmabufs, if it does not (by what it does, not its name). */
  let rejected: string | undefined;

  beforeAll(async () => {
    weston = await startWeston({ renderer: "gl" });
    gpu = await Instance.create({ validation: true, requireValidation: true });
    rejected = await dmabufRejection(gpu, weston.path);
    if (rejected) console.warn(`[dmabuf.vm.test] presentation tests skipped: ${rejected} (test/wayland/weston-drm.vm.test.ts covers the fallback)`);
    ref = await renderHeadless(gpu, "triangle", SIZE, FRAMES);
  });
  beforeEach(async () => {
    if (weston) weston = await westonFresh(weston); // see westonFresh: a Weston per window
  });
  afterAll(async () => {
    gpu?.destroy();
    await weston?.stop();
  });

  async function presentAndShoot(options: Pick<WaylandDmabufOptions, "sync" | "bufferCreation">, skip: (why: string) => void) {
    if (rejected) skip(rejected);
    const fdsBefore = openFds();
    const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: weston.path, title: "dmabuf", mode: "dmabuf", ...options, heartbeatHz: HEARTBEAT_HZ }, true);
    let shot;
    try {
      expect(out.backend).toBe("wayland-dmabuf");
      await runScene(out, "triangle", FRAMES);
      shot = await weston.screenshot();
    } finally {
      await out.close();
    }
    await new Promise((r) => setTimeout(r, 200)); // let child-process stdio sockets of the screenshooter close
    const result = { stats: out.stats.extra, ...compare(shot, ref), fdsLeaked: fdsLeakedSince(fdsBefore) };
    console.log(`dmabuf ${JSON.stringify(options)}: ${JSON.stringify(result)} (triangle covers ${coverage(ref)} px)`);
    return result;
  }

  function expectShown(r: Awaited<ReturnType<typeof presentAndShoot>>) {
    expect(coverage(ref)).toBeGreaterThan(SIZE[0] * SIZE[1] * 0.02); // a blank window cannot pass for the triangle
    // GL composition may filter edges slightly; the bulk must match
    expect(r.differing).toBeLessThan((SIZE[0] * SIZE[1]) / 100);
    expect(r.stats.formats).toBe("v3 events");
    expect(r.stats.bufferKind).toBe("XR24/LINEAR");
    expect(r.stats.presented).toBe(FRAMES);
    expect(r.fdsLeaked).toEqual([]);
    expect(gpu.validationEnabled).toBe(true);
    expect(gpu.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);
  }

  it("sync auto, buffers auto: explicit sync (Weston GL offers it), create then create_immed; the screenshot equals the headless render", async (ctx) => {
    const r = await presentAndShoot({}, (why) => ctx.skip(why));
    expectShown(r);
    expect(r.stats.bufferCreation).toBe("auto");
    expect(r.stats.sync).toBe("explicit-sync");
    expect(r.stats.acquireFences).toBe(FRAMES);
    expect(r.stats.renderFenceCpuWaits).toBe(0);
  });

  it("implicit sync files, create_immed throughout: the screenshot equals the headless render", async (ctx) => {
    const r = await presentAndShoot({ sync: "implicit", bufferCreation: "immed" }, (why) => ctx.skip(why));
    expectShown(r);
    expect(r.stats.bufferCreation).toBe("immed");
    expect(r.stats.sync).toBe("implicit sync-file");
    expect(Number(r.stats.syncFilesImported) + Number(r.stats.syncFilesSignalled)).toBe(FRAMES);
    expect(r.stats.renderFenceCpuWaits).toBe(0);
  });

  it("cpu-wait sync: the screenshot equals the headless render", async (ctx) => {
    const r = await presentAndShoot({ sync: "cpu-wait" }, (why) => ctx.skip(why));
    expectShown(r);
    expect(r.stats.sync).toBe("cpu-wait");
    expect(r.stats.renderFenceCpuWaits).toBe(FRAMES);
  });

  it("create (created/failed events) for every buffer: the screenshot equals the headless render", async (ctx) => {
    const r = await presentAndShoot({ sync: "explicit", bufferCreation: "create" }, (why) => ctx.skip(why));
    expectShown(r);
    expect(r.stats.bufferCreation).toBe("create");
  });

  it("a sync path that cannot work here is unavailable, naming what is missing", async () => {
    const device = gpu.createDevice();
    try {
      const e = await openWaylandPresenter(device, { size: SIZE, socket: weston.path, mode: "dmabuf", sync: "drm-syncobj" }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(BackendUnavailableError);
      expect((e as Error).message).toBe("wayland-dmabuf: the compositor offers no wp_linux_drm_syncobj_manager_v1");
    } finally {
      device.destroy();
    }
  });

  it("a compositor without zwp_linux_dmabuf_v1: dmabuf is unavailable there, and auto falls back to shm", async () => {
    const pixman = await startWeston({ renderer: "pixman" }); // offers no linux-dmabuf global
    const device = gpu.createDevice();
    try {
      const e = await openWaylandPresenter(device, { size: SIZE, socket: pixman.path, mode: "dmabuf" }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(BackendUnavailableError);
      expect((e as Error).message).toBe("wayland-dmabuf: the compositor offers no zwp_linux_dmabuf_v1 v3 or later");
      const out = await openWaylandPresenter(device, { size: SIZE, socket: pixman.path, mode: "auto" });
      expect(out.backend).toBe("wayland-shm");
      await out.close();
    } finally {
      device.destroy();
      await pixman.stop();
    }
  });

  it("create with a format the compositor does not know: `failed`, and the connection lives on", async () => {
    const fdsBefore = openFdCount();
    const device = gpu.createDevice();
    const image = Image.create(device, { width: 64, height: 64, format: Format.VK_FORMAT_B8G8R8A8_UNORM, usage: ImageUsage.colorAttachment, exportDmabuf: {} });
    const connection = Connection.connect({ socket: weston.path });
    let outcome: string;
    try {
      const globals = await Globals.fetch(connection);
      const dmabuf = globals.bind(ZwpLinuxDmabufV1, { min: 3 });
      dmabuf.listen({ format: () => {}, modifier: () => {} });
      const exp = image.exportDmabuf();
      const params = dmabuf.create_params();
      try {
        params.add(exp.fd, 0, exp.planes[0]!.offset, exp.planes[0]!.stride, 0, 0);
      } finally {
        closeFd(exp.fd);
      }
      const settled = connection.waitFor<string>((resolve) =>
        params.listen({
          created: (buffer) => {
            buffer.destroy();
            resolve("created");
          },
          failed: () => resolve("failed"),
        }),
      );
      params.create(64, 64, 0x5a5a5a5a /* 'ZZZZ': no such fourcc */, 0);
      outcome = await settled;
      params.destroy();
      await connection.roundtrip(); // still alive after the failure
      expect(connection.error).toBeUndefined();
      dmabuf.destroy();
    } finally {
      await connection.close();
      image.destroy();
      device.destroy();
    }
    expect(outcome).toBe("failed");
    await new Promise((r) => setTimeout(r, 100));
    expect(openFdCount()).toBe(fdsBefore);
  });
});
