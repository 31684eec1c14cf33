// dmabuf end to end, only where the kernel has udmabuf (the VM: test/vm/run-in-vm.sh): Weston with
// the GL renderer advertises zwp_linux_dmabuf_v1 v3; lavapipe images exported as dmabufs are
// imported and shown. Success is judged by a screenshot compared with the headless render of the
// same frame, with validation on, no validation messages and no descriptor left open.
import { existsSync, readdirSync, readlinkSync } from "node:fs";
import type { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Triangle } from "../../src/scenes/index.js";
import { BackendUnavailableError, createHeadlessPresenter, Format, Image, ImageUsage, Instance, type Pixels } from "../../src/index.js";
import { close as closeFd } from "../../src/sys/libc.js";
import { Connection } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { ZwpLinuxDmabufV1 } from "../../src/wayland/protocol/linux-dmabuf-v1.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import type { WaylandDmabufOptions } from "../../src/present/wayland-dmabuf.js";
import { startWeston, type Weston, westonAvailable } from "../../scripts/testbed/weston.js";

const SIZE = [640, 480] as const;
const FRAMES = 4;
const inVm = existsSync("/dev/udmabuf");

/** This process's open descriptors and what they point at, to name any that leak. */
function openFds(): Map<string, string> {
  const fds = new Map<string, string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      fds.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      /* the directory's own fd, closed by now */
    }
  }
  return fds;
}

/** Pixels whose largest channel difference exceeds `tolerance`, and the largest difference. */
function compare(shot: PNG, ref: Pixels, tolerance = 3): { differing: number; maxDiff: number } {
  expect([shot.width, shot.height]).toEqual([ref.width, ref.height]);
  let differing = 0;
  let maxDiff = 0;
  for (let i = 0; i < ref.data.length; i += 4) {
    const d = Math.max(Math.abs(shot.data[i]! - ref.data[i]!), Math.abs(shot.data[i + 1]! - ref.data[i + 1]!), Math.abs(shot.data[i + 2]! - ref.data[i + 2]!));
    if (d > tolerance) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  return { differing, maxDiff };
}

describe.skipIf(!inVm || !westonAvailable)("wayland-dmabuf presenter (VM: udmabuf + Weston GL)", () => {
  let weston: Weston;
  let gpu: Instance;
  let ref: Pixels;
  let triangleCoverage = 0;

  beforeAll(async () => {
    weston = await startWeston({ renderer: "gl" });
    gpu = await Instance.create({ validation: true, requireValidation: true });
    // The reference: the same frames headless, last one read back.
    const h = createHeadlessPresenter(gpu.createDevice(), { size: SIZE }, true);
    const s = Triangle.create(h);
    let p: Promise<Pixels> | undefined;
    for await (const frame of h.frames({ limit: FRAMES })) {
      s.update(frame);
      frame.record((cmd) => s.draw(cmd, frame));
      if (frame.index === FRAMES - 1) p = frame.capture();
    }
    s.destroy();
    await h.close();
    ref = await p!;
    // The triangle must cover a real part of the frame, or a blank window could pass for it.
    const bg = [ref.data[0]!, ref.data[1]!, ref.data[2]!];
    for (let i = 0; i < ref.data.length; i += 4) if (ref.data[i] !== bg[0] || ref.data[i + 1] !== bg[1] || ref.data[i + 2] !== bg[2]) triangleCoverage++;
  });
  afterAll(async () => {
    gpu?.destroy();
    await weston?.stop();
  });

  async function presentAndShoot(options: Pick<WaylandDmabufOptions, "sync" | "bufferCreation">) {
    const fdsBefore = openFds();
    const out = await openWaylandPresenter(gpu.createDevice(), { size: SIZE, socket: weston.path, title: "dmabuf", mode: "dmabuf", ...options }, true);
    let shot: PNG;
    try {
      expect(out.backend).toBe("wayland-dmabuf");
      const scene = Triangle.create(out);
      try {
        for await (const frame of out.frames({ limit: FRAMES })) {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
        }
      } finally {
        scene.destroy();
      }
      shot = await weston.screenshot();
    } finally {
      await out.close();
    }
    await new Promise((r) => setTimeout(r, 200)); // let child-process stdio sockets of the screenshooter close
    const after = openFds();
    const fdsLeaked = [...after].filter(([fd]) => !fdsBefore.has(fd)).map(([fd, target]) => `${fd} -> ${target}`);
    const fdsGone = [...fdsBefore].filter(([fd]) => !after.has(fd)).map(([fd, target]) => `${fd} -> ${target}`);
    const result = { stats: out.stats.extra, ...compare(shot, ref), fdsLeaked, fdsGone };
    console.log(`dmabuf ${JSON.stringify(options)}: ${JSON.stringify(result)} (triangle covers ${triangleCoverage} px)`);
    return result;
  }

  function expectShown(r: Awaited<ReturnType<typeof presentAndShoot>>) {
    expect(triangleCoverage).toBeGreaterThan(SIZE[0] * SIZE[1] * 0.02);
    // GL composition may filter edges slightly; the bulk must match
    expect(r.differing).toBeLessThan((SIZE[0] * SIZE[1]) / 100);
    expect(r.stats.formats).toBe("v3 events");
    expect(r.stats.presented).toBe(FRAMES);
    expect(r.fdsLeaked).toEqual([]);
    expect(gpu.validationEnabled).toBe(true);
    expect(gpu.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);
  }

  it("create_immed, sync auto: the screenshot equals the headless render", async () => {
    const r = await presentAndShoot({ sync: "auto", bufferCreation: "immed" });
    expectShown(r);
    expect(r.stats.bufferCreation).toBe("immed");
    // lavapipe in the VM lists VK_KHR_external_semaphore_fd, so auto takes the implicit path
    expect(r.stats.sync).toBe("implicit sync-file");
    expect(Number(r.stats.syncFilesImported) + Number(r.stats.syncFilesSignalled)).toBe(FRAMES);
  });

  it("create_immed, cpu-wait sync: the screenshot equals the headless render", async () => {
    const r = await presentAndShoot({ sync: "cpu-wait", bufferCreation: "immed" });
    expectShown(r);
    expect(r.stats.sync).toBe("cpu-wait");
  });

  it("create (created/failed events): the screenshot equals the headless render", async () => {
    const r = await presentAndShoot({ sync: "auto", bufferCreation: "create" });
    expectShown(r);
    expect(r.stats.bufferCreation).toBe("create");
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
    const fdsBefore = openFds().size;
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
    expect(openFds().size).toBe(fdsBefore);
  });
});
