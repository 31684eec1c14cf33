// The 2026 desktop on a real KMS device: Debian forky's KWin 6.7, Sway 1.12, Weston 16 and Hyprland on their
// DRM backends (the VM's virtio-gpu, which has timeline syncobjs), started from the forky root
// (test/helpers/forky-bed.ts) one after the other. For each: whether it offers
// wp_linux_drm_syncobj_manager_v1, and where it does, our dmabuf presenter forced onto the
// drm-syncobj sync path renders the triangle with validation on: every commit carries an acquire
// and a release point on its buffer's own timeline, no frame's fence is waited for on the CPU, a
// buffer is rendered into again only once its release point has signalled, and the screen (where a
// screenshot tool works) shows the headless render. A compositor that withholds the protocol skips
// with the condition its source sets for it, after presenting over dmabuf on its own sync path
// (the screen again equal to the headless render); one that cannot start here skips with why.
// Needs the VM on virtio-gpu: VMTEST_GPU=virtio bash test/vm/run-suite.sh test/wayland/desktop-2026.vm.test.ts
import { chmodSync, existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendUnavailableError, Instance } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { Connection } from "../../src/wayland/connection.js";
import { type ForkyBed, type ForkyCompositor, forkyCompositorSkipReason, type GlobalEntry, listGlobals, startForky } from "../helpers/forky-bed.js";
import { findTimelineNode } from "../helpers/timeline-node.js";
import type { PNG } from "pngjs";
import { type SwayNode, swayWindows } from "../../scripts/testbed/sway.js";
import { differingPixels, headlessFrame, litPixels, runScene } from "./compositors/scenes.js";

const FRAMES = 20;
/** Under emulation a frame callback can take over a second: the default heartbeat would render frames it never commits. */
const HEARTBEAT_HZ = 0.1;
const APP = "dev.scanout.syncobj";
const SYNCOBJ = "wp_linux_drm_syncobj_manager_v1";

const inVm = existsSync("/dev/udmabuf");
const timelineNode = inVm ? findTimelineNode() : undefined;
const vmSkip = !inVm
  ? "needs the VM (udmabuf, a KMS device): VMTEST_GPU=virtio test/vm/run-suite.sh"
  : !timelineNode ? "no DRM device with timeline syncobjs (vkms has none): run with VMTEST_GPU=virtio" : undefined;

interface BedSpec {
  readonly name: string;
  readonly kind: ForkyCompositor;
  /** Where the protocol is not offered: the condition in the compositor's source that withholds it. */
  readonly withholds: string;
  /** How the screen is read back: grim or weston-screenshooter (the output), KWin's ScreenShot2 (our window). */
  readonly screenshot: "output" | "kwin-window";
  /** Windows keep our size (floating) rather than the output's (kiosk, maximized). */
  readonly keepsSize: boolean;
  /** More environment for the compositor. */
  readonly env?: Record<string, string>;
  /**
   * Where the compositor refuses the dmabufs lavapipe makes here (udmabufs, not the card's own memory):
   * the check in its source that does. Any other refusal fails the test.
   */
  readonly refusesForeignDmabufs?: string;
  /**
   * A crash of the compositor's own seen on this bed when it takes our dmabufs: the test then skips
   * with this note, but only when the compositor really died of SIGSEGV (exit 139).
   */
  readonly segfaultsOnOurDmabufs?: string;
}

// What wlroots and Hyprland do before they take a client's dmabuf, and why it fails on this bed.
const PRIME_CHECK =
  "; the virtio-gpu card without virgl imports no dmabuf it did not make (ENODEV), and ours are udmabufs from lavapipe. On a real GPU the buffers come from the device the compositor renders with. KWin and Weston import through EGL instead and take them";

const KWIN_WITHHOLDS =
  "KWin creates LinuxDrmSyncObjV1Interface in WaylandServer::setRenderBackend only when the render backend's DRM device reports DRM_CAP_SYNCOBJ_TIMELINE (DrmDevice::supportsSyncObjTimelines) and the kernel is at least 6.6 (src/wayland_server.cpp)";

const BEDS: readonly BedSpec[] = [
  {
    name: "KWin 6.7",
    kind: "kwin",
    withholds: KWIN_WITHHOLDS,
    screenshot: "kwin-window",
    keepsSize: false,
  },
  {
    // KWin's software compositing: its buffers are read through mmap rather than imported into EGL
    name: "KWin 6.7 QPainter",
    kind: "kwin",
    withholds: `${KWIN_WITHHOLDS}; with QPainter compositing the render backend gives no DRM device (RenderBackend::drmDevice() returns nullptr unless a backend overrides it, src/core/renderbackend.cpp; the EGL backend does)`,
    screenshot: "kwin-window",
    keepsSize: false,
    env: { KWIN_COMPOSE: "Q" },
  },
  {
    name: "Sway 1.12",
    kind: "sway",
    withholds:
      "Sway creates the manager only when the renderer has a DRM fd and both the renderer and the backend have features.timeline (sway/server.c); wlroots' GLES2 renderer sets features.timeline only when EGL has eglDupNativeFenceFDANDROID (EGL_ANDROID_native_fence_sync) and eglWaitSyncKHR and the DRM fd has DRM_CAP_SYNCOBJ_TIMELINE (render/gles2/renderer.c); here the renderer is llvmpipe's EGL (kms_swrast on the virtio-gpu card), whose display extensions (Sway's log with -d) include EGL_KHR_fence_sync and EGL_KHR_wait_sync but not EGL_ANDROID_native_fence_sync",
    screenshot: "output",
    keepsSize: true,
    refusesForeignDmabufs: `wlroots imports each plane into its DRM device with drmPrimeFDToHandle before it creates the wl_buffer (types/wlr_linux_dmabuf_v1.c: "Failed to import DMA-BUF FD for plane 0: No such device" in Sway's log)${PRIME_CHECK}`,
  },
  {
    name: "Weston 16",
    kind: "weston",
    withholds:
      "Weston 16 has no linux-drm-syncobj-v1 implementation: forky's libweston-16 and its backend and renderer modules carry no wp_linux_drm_syncobj symbol; its explicit sync is zwp_linux_explicit_synchronization_v1 (libweston/linux-explicit-synchronization.c)",
    segfaultsOnOurDmabufs:
      "Weston 16.0 (forky, GL renderer on llvmpipe over the virtio-gpu card) dies of SIGSEGV on the first commits of our linear XR24 udmabufs, in the kiosk and the desktop shell and with implicit, explicit or no sync alike, without a word in its log; Debian 12's Weston 14 on the same bed shows the same buffers (test/wayland/weston-drm.vm.test.ts). A compositor crash is the compositor's bug: reported here, not worked around",
    screenshot: "output",
    keepsSize: false,
  },
  {
    // as an unprivileged user with a seatd of its own (it refuses root); one tiled window fills the output
    name: "Hyprland 0.56",
    kind: "hyprland",
    withholds:
      "Hyprland creates the manager only on its DRM backend with render:explicit_sync on, and its renderer's explicitSyncSupported() also needs timeline syncobjs and EGL_ANDROID_native_fence_sync (src/managers/ProtocolManager.cpp, src/render/OpenGL.cpp); llvmpipe's EGL on the virtio-gpu card lacks that extension",
    screenshot: "output",
    keepsSize: false,
    refusesForeignDmabufs: `Hyprland imports each plane into its main DRM device with drmPrimeFDToHandle before it creates the wl_buffer (CLinuxDMABUFParamsResource::commence, src/protocols/LinuxDMABUF.cpp)${PRIME_CHECK}`,
  },
];

/** What each bed offered and did, printed at the end (the report's table). */
const summary: string[] = [];
let gpu: Instance | undefined;

beforeAll(async () => {
  if (vmSkip) return;
  // On a desktop, udev (uaccess, the video and render groups) lets the seat's user open the DRM
  // nodes, and Mesa's EGL opens the card by path, not only through seatd's fd; the guest has no
  // udev, and Sway runs unprivileged
  for (const f of readdirSync("/dev/dri")) if (/^(card|renderD)\d+$/.test(f)) chmodSync(`/dev/dri/${f}`, 0o666);
  gpu = await Instance.create({ validation: true, requireValidation: true });
});

afterAll(() => {
  gpu?.destroy();
  if (summary.length) console.log(`desktop-2026 (DRM, ${timelineNode}):\n  ${summary.join("\n  ")}`);
});

if (vmSkip) console.warn(`[desktop-2026.vm.test] skipped: ${vmSkip}`);

/** `/points` of a trace's set_*_point line, or undefined. */
function pointOf(line: string, kind: "acquire" | "release"): { timeline: string; point: bigint } | undefined {
  const m = new RegExp(`^-> wp_linux_drm_syncobj_surface_v1#\\d+\\.set_${kind}_point\\((wp_linux_drm_syncobj_timeline_v1#\\d+), (\\d+), (\\d+)\\)`).exec(line);
  return m ? { timeline: m[1]!, point: (BigInt(m[2]!) << 32n) | BigInt(m[3]!) } : undefined;
}

/**
 * The commits of the synced surface (the one wp_linux_drm_syncobj_manager_v1.get_surface named) that
 * attached a buffer, with the points set since its previous commit; and the other surfaces' attaching
 * commits (a decoration's, say), which carry none.
 */
function syncedCommits(trace: readonly string[]) {
  type Point = { timeline: string; point: bigint };
  const commits: { buffer: string; acquire: Point[]; release: Point[] }[] = [];
  const others: string[] = [];
  let synced: string | undefined;
  const pending = new Map<string, string>(); // surface -> buffer attached since its last commit
  let acquire: Point[] = [];
  let release: Point[] = [];
  for (const line of trace) {
    const get = /^-> wp_linux_drm_syncobj_manager_v1#\d+\.get_surface\(new id wp_linux_drm_syncobj_surface_v1#\d+, (wl_surface#\d+)\)/.exec(line);
    if (get) synced = get[1]!;
    const attach = /^-> (wl_surface#\d+)\.attach\((wl_buffer#\d+)/.exec(line);
    if (attach) pending.set(attach[1]!, attach[2]!);
    const a = pointOf(line, "acquire");
    if (a) acquire.push(a);
    const r = pointOf(line, "release");
    if (r) release.push(r);
    const commit = /^-> (wl_surface#\d+)\.commit\(\)/.exec(line);
    if (commit) {
      const buffer = pending.get(commit[1]!);
      pending.delete(commit[1]!);
      if (commit[1] === synced) {
        if (buffer) commits.push({ buffer, acquire, release });
        acquire = [];
        release = [];
      } else if (buffer) others.push(`${commit[1]}:${buffer}`);
    }
  }
  return { commits, others, synced };
}

/**
 * The screen (a KWin window shot, or the output with the window at its place) against the headless
 * render of the triangle's last frame: how many pixels differ, and a line for the report.
 */
async function compareScreen(spec: BedSpec, b: ForkyBed, shot: PNG, size: readonly [number, number]): Promise<{ differing: number; text: string }> {
  const ref = await headlessFrame(gpu!, "triangle", size, FRAMES - 1);
  expect(litPixels(ref)).toBeGreaterThan(size[0] * size[1] * 0.02);
  let x = 0;
  let y = 0;
  if (spec.screenshot === "kwin-window") {
    // the window's shot holds a title bar above the content (24 px here)
    [x, y] = [shot.width - size[0], shot.height - size[1]];
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
  } else if (spec.keepsSize) {
    // a floating window: find it in Sway's tree
    const win = swayWindows(JSON.parse(await b.swaymsg("", "get_tree")) as SwayNode).find((n) => n.app_id === APP);
    if (win) [x, y] = [win.rect.x, win.rect.y];
  }
  const differing = differingPixels(shot, ref, x, y);
  const text = `${spec.screenshot === "kwin-window" ? "KWin's window shot" : "screenshot"} ${shot.width}x${shot.height} (content at ${x},${y}), ${differing} of ${size[0] * size[1]} pixels differ from the headless render`;
  return { differing, text };
}

/** DESKTOP2026_BEDS=sway,weston runs only those kinds (when chasing one compositor). */
const only = process.env.DESKTOP2026_BEDS?.split(",");

for (const spec of BEDS) {
  const startable = vmSkip ?? forkyCompositorSkipReason(spec.kind) ?? (only && !only.includes(spec.kind) ? `not in DESKTOP2026_BEDS=${only.join(",")}` : undefined);
  describe.skipIf(!!startable)(`${spec.name} on DRM (${timelineNode ?? "no timeline node"}), drm-syncobj${startable ? ` (skipped: ${startable})` : ""}`, () => {
    let bed: ForkyBed | undefined;
    let cannotStart: string | undefined;
    let globals: GlobalEntry[] = [];

    beforeAll(async () => {
      const started = performance.now();
      try {
        bed = await startForky(spec.kind, { backend: "drm", ...(spec.env ? { env: spec.env } : {}) });
        globals = await listGlobals(bed.path, 20_000);
        console.log(`${spec.name} (DRM) up in ${((performance.now() - started) / 1000).toFixed(1)} s; offers ${globals.map((g) => `${g.interface} v${g.version}`).join(", ")}`);
      } catch (e) {
        cannotStart = `${spec.name} cannot start on the VM's DRM device: ${(e as Error).message.split("\n").slice(-12).join(" | ")}`;
        console.warn(`[desktop-2026.vm.test] ${cannotStart}`);
        summary.push(`${spec.name}: could not start (${(e as Error).message.split("\n")[0]})`);
      }
    });
    afterAll(async () => {
      await bed?.stop();
    });

    it(`offers ${SYNCOBJ} (or skips with the condition that withholds it)`, (ctx) => {
      if (cannotStart) ctx.skip(cannotStart);
      expect(globals.some((g) => g.interface === "wl_compositor")).toBe(true);
      const offered = globals.find((g) => g.interface === SYNCOBJ);
      if (!offered) {
        summary.push(`${spec.name}: no ${SYNCOBJ}`);
        ctx.skip(`${spec.name} withholds ${SYNCOBJ} here: ${spec.withholds}`);
      }
      expect(offered!.version).toBeGreaterThanOrEqual(1);
    });

    it(`presents the triangle ${FRAMES} frames over dmabuf on its own sync path where ${SYNCOBJ} is withheld; the screen shows the headless render`, async (ctx) => {
      if (cannotStart) ctx.skip(cannotStart);
      if (globals.some((g) => g.interface === SYNCOBJ)) ctx.skip(`${spec.name} offers ${SYNCOBJ}: the next test covers its dmabufs`);
      if (!globals.some((g) => g.interface === "zwp_linux_dmabuf_v1")) {
        summary.push(`${spec.name}: offers no zwp_linux_dmabuf_v1`);
        ctx.skip(`${spec.name} offers no zwp_linux_dmabuf_v1 here (software compositing has no DRM device to import into); its wl_shm path is the host beds'`);
      }
      const b = bed!;
      const connection = Connection.connect({ socket: b.path });
      try {
        let out;
        try {
          out = await openWaylandPresenter(gpu!.createDevice(), { size: [320, 240], connection, title: "dmabuf", appId: APP, mode: "dmabuf", heartbeatHz: HEARTBEAT_HZ }, true);
        } catch (e) {
          if (!(e instanceof BackendUnavailableError) || !spec.refusesForeignDmabufs)
            throw new Error(`${(e as Error).message}; ${spec.name}'s log ends:\n${b.log().split("\n").slice(-25).join("\n")}`, { cause: e });
          summary.push(`${spec.name}: refuses our dmabufs here: ${e.message}`);
          return ctx.skip(`${spec.name} refuses our dmabufs on this bed (${e.message}): ${spec.refusesForeignDmabufs}`);
        }
        let shot: PNG;
        let size: readonly [number, number];
        try {
          await runScene(out, "triangle", FRAMES).catch(async (e: Error) => {
            await new Promise((r) => setTimeout(r, 1000)); // the compositor's exit status arrives after the hang-up
            if (spec.segfaultsOnOurDmabufs && b.process.exitCode === 139) {
              summary.push(`${spec.name}: died of SIGSEGV taking our dmabufs`);
              return ctx.skip(`${spec.name} crashed (SIGSEGV): ${spec.segfaultsOnOurDmabufs}`);
            }
            throw new Error(`${e.message}; ${spec.name}'s log ends:\n${b.log().split("\n").slice(-25).join("\n")}`, { cause: e });
          });
          size = out.size;
          shot = spec.screenshot === "kwin-window" ? await b.kwinActiveWindowShot() : await b.screenshot();
        } finally {
          await out.close();
        }
        const s = out.stats.extra;
        const screen = await compareScreen(spec, b, shot, size);
        summary.push(`${spec.name}: dmabuf (${String(s.bufferKind)}), sync ${String(s.sync)}, ${String(s.presented)} of ${FRAMES} presented; ${screen.text}`);
        expect(out.backend).toBe("wayland-dmabuf");
        expect(out.stats.frames).toBe(FRAMES);
        expect(Number(s.presented)).toBeGreaterThan(FRAMES / 2);
        expect(connection.error).toBeUndefined();
        expect(b.alive(), `${spec.name} died:\n${b.log().slice(-2000)}`).toBe(true);
        expect(gpu!.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);
        expect(screen.differing).toBe(0);
      } finally {
        await connection.close();
      }
    });

    it(`presents the triangle ${FRAMES} frames on the drm-syncobj path: points on every commit, no CPU fence wait, buffers reused on their release point`, async (ctx) => {
      if (cannotStart) ctx.skip(cannotStart);
      if (!globals.some((g) => g.interface === SYNCOBJ)) ctx.skip(`${spec.name} withholds ${SYNCOBJ} here: ${spec.withholds}`);
      const b = bed!;
      const connection = Connection.connect({ socket: b.path });
      const trace: string[] = [];
      connection.trace = (line) => trace.push(line);
      let out;
      try {
        try {
          out = await openWaylandPresenter(gpu!.createDevice(), { size: [320, 240], connection, title: "drm-syncobj", appId: APP, mode: "dmabuf", sync: "drm-syncobj", heartbeatHz: HEARTBEAT_HZ }, true);
        } catch (e) {
          if (!(e instanceof BackendUnavailableError)) throw e;
          summary.push(`${spec.name}: offers ${SYNCOBJ}, but our dmabufs cannot be presented: ${e.message}`);
          return ctx.skip(`${spec.name} offers ${SYNCOBJ}, but the dmabuf presenter is unavailable on it: ${e.message}`);
        }
        let shot;
        let size: readonly [number, number];
        const started = performance.now();
        try {
          await runScene(out, "triangle", FRAMES).catch((e: Error) => {
            throw new Error(`${e.message}; ${spec.name}'s log ends:\n${b.log().split("\n").slice(-25).join("\n")}`, { cause: e });
          });
          size = out.size;
          shot = spec.screenshot === "kwin-window" ? await b.kwinActiveWindowShot() : await b.screenshot();
        } finally {
          await out.close();
        }
        const ms = performance.now() - started;
        const s = out.stats.extra;
        const { commits, others, synced } = syncedCommits(trace);
        const timelines = new Set(commits.flatMap((c) => c.acquire.map((p) => p.timeline)));
        const bufferReleases = trace.filter((l) => /^<- wl_buffer#\d+\.release\(\)/.test(l)).length;
        const figures = {
          size: size.join("x"), frames: out.stats.frames, presented: s.presented, dropped: out.stats.pacing?.dropped ?? 0, commits: commits.length,
          timelines: timelines.size, acquirePoints: s.acquirePoints, releasePoints: s.releasePoints, syncFilesExported: s.syncFilesExported,
          syncFilesAlreadySignalled: s.syncFilesAlreadySignalled, acquirePendingAtCommit: s.acquirePendingAtCommit, syncFileExportMs: s.syncFileExportMs,
          renderFenceCpuWaits: s.renderFenceCpuWaits, releasePointReuses: s.releasePointReuses, releasePointWaits: s.releasePointWaits,
          wlBufferReleases: bufferReleases, bufferKind: s.bufferKind, msPerFrame: Number((ms / FRAMES).toFixed(1)),
        };
        console.log(`${spec.name} drm-syncobj: ${JSON.stringify(figures)}`);
        const wire = commits.map((c) => `${c.buffer}:${c.acquire.map((p) => `${p.timeline.split("#")[1]}@${p.point}`).join("+") || "-"}/${c.release.map((p) => String(p.point)).join("+") || "-"}`);
        console.log(`${spec.name} commits on ${synced} (buffer:timeline@acquire/release): ${wire.join(" ")}; other surfaces' commits: ${others.join(" ") || "none"}`);

        expect(out.backend).toBe("wayland-dmabuf");
        expect(s.sync).toBe("drm-syncobj");
        expect(out.stats.frames).toBe(FRAMES);
        const presented = Number(s.presented);
        expect(presented + Number(figures.dropped)).toBe(FRAMES);
        expect(presented).toBeGreaterThan(FRAMES / 2);
        // every commit that attached a buffer carried one acquire and one release point, on one timeline per buffer
        expect(commits).toHaveLength(presented);
        for (const c of commits) {
          expect(c.acquire).toHaveLength(1);
          expect(c.release).toHaveLength(1);
          expect(c.release[0]!.timeline).toBe(c.acquire[0]!.timeline);
          expect(c.release[0]!.point).toBeGreaterThan(c.acquire[0]!.point);
        }
        const bufferOf = new Map<string, string>();
        const lastRelease = new Map<string, bigint>();
        for (const c of commits) {
          const t = c.acquire[0]!.timeline;
          expect(bufferOf.get(t) ?? c.buffer, `${t} always goes with one buffer`).toBe(c.buffer);
          bufferOf.set(t, c.buffer);
          // a buffer's next commit starts after the point its previous commit asked the compositor to release
          expect(c.acquire[0]!.point).toBeGreaterThan(lastRelease.get(t) ?? 0n);
          lastRelease.set(t, c.release[0]!.point);
        }
        expect(timelines.size).toBeLessThanOrEqual(4);
        expect(Number(s.timelines)).toBe(timelines.size);
        expect([Number(s.acquirePoints), Number(s.releasePoints)]).toEqual([presented, presented]);
        // no frame waited for its fence on the CPU: each acquire point carries the render-finished sync file or was already signalled by the driver
        expect(s.renderFenceCpuWaits).toBe(0);
        expect(Number(s.syncFilesExported) + Number(s.syncFilesAlreadySignalled)).toBe(FRAMES);
        // every reuse of a committed buffer went ahead on its release point (the ring reused all but the last few)
        expect(Number(s.releasePointReuses)).toBeGreaterThanOrEqual(presented - timelines.size);
        expect(connection.error).toBeUndefined();
        expect(b.alive(), `${spec.name} died:\n${b.log().slice(-2000)}`).toBe(true);
        expect(gpu!.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);

        const screen = await compareScreen(spec, b, shot, size);
        summary.push(`${spec.name}: ${SYNCOBJ} v${globals.find((g) => g.interface === SYNCOBJ)!.version}; ${JSON.stringify(figures)}; ${screen.text}`);
        expect(screen.differing).toBe(0);
      } finally {
        await connection.close();
      }
    });
  });
}

