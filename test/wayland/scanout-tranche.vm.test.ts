// Real scanout feedback: a fullscreen dmabuf window on a compositor's DRM backend on the VM's vkms
// (kernel 7.x, forky root). wlroots (Sway 1.12) counts the output's frames in which our surface is
// the only thing on screen and could be scanned out; after 30 it sends per-surface feedback with a
// scanout tranche (types/scene/wlr_scene.c, scene_entry_try_direct_scanout and
// DMABUF_FEEDBACK_DEBOUNCE_FRAMES). The presenter must take its buffers from that tranche (its format
// and modifier, re-allocating when they differ from the ones in use), say so in its stats
// (feedbackTranche "scanout"), and the frames after it must be reported zero-copy by
// wp_presentation (stats.pacing.zeroCopy); the display's primary plane, read back as root (GETFB2 +
// PRIME), holds our own udmabuf with the headless render's pixels. (No grim: its screencopy makes
// wlroots composite the next frame, and this Sway dies compositing, see the second test.)
// Leaving fullscreen (a bordered window: more than one node, never a scanout candidate) should
// withdraw the scanout tranche after 30 frames and end zero-copy; on this bed Sway dies of SIGSEGV
// the first time it composites our window, and that test skips with it (only on exit status 139).
// Weston 16 is tried as well: on vkms its GL renderer runs on llvmpipe through kms_swrast, whose EGL
// device names no DRM node, so it has no default feedback and offers dmabuf v3 only (no per-surface
// feedback at all); that bed skips with the condition in its source.
// Needs the VM on vkms: bash test/vm/run-suite.sh test/wayland/scanout-tranche.vm.test.ts
import { chmodSync, existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { addLogSink, type LogRecord, setLogLevel } from "../../src/util/log.js";
import { Connection } from "../../src/wayland/connection.js";
import { type ForkyBed, type ForkyCompositor, type ForkyOptions, forkyCompositorSkipReason, type GlobalEntry, listGlobals, startForky } from "../helpers/forky-bed.js";
import { heldDmabufInodes, readScanout, type ScanoutSnapshot } from "../helpers/scanout-readback.js";
import { differingPixels, headlessFrame, litPixels, runScene } from "./compositors/scenes.js";

/** wlroots sends the scanout tranche after 30 candidate frames; the rest show what follows it. */
const FRAMES = 75;
/** Under emulation a frame callback can take over a second: the default heartbeat would render frames it never commits. */
const HEARTBEAT_HZ = 0.1;
const APP = "dev.scanout.tranche";
const ZERO_COPY = 8; // wp_presentation_feedback.kind.zero_copy

const onVkms = existsSync("/sys/module/vkms") && readdirSync("/dev/dri").some((f) => /^card\d+$/.test(f));
const vmSkip = !existsSync("/dev/udmabuf") ? "needs the VM (udmabuf, vkms): bash test/vm/run-suite.sh test/wayland/scanout-tranche.vm.test.ts" : !onVkms ? "runs on the VM's vkms (VMTEST_GPU=vkms)" : undefined;
if (vmSkip) console.warn(`[scanout-tranche.vm.test] skipped: ${vmSkip}`);

interface BedSpec {
  readonly name: string;
  readonly kind: ForkyCompositor;
  readonly options: ForkyOptions;
  /** Where no per-surface feedback (dmabuf v4+) is offered: the condition in the compositor's source. */
  readonly noFeedback: string;
}

const BEDS: readonly BedSpec[] = [
  // GLES2 on llvmpipe through kms_swrast on vkms's card0 (no render node): wlroots' renderer DRM fd is
  // GBM's, the primary node, so main_device and both tranches name card0
  { name: "Sway 1.12", kind: "sway", options: { backend: "drm", args: ["-d"] }, noFeedback: "" },
  {
    name: "Weston 16",
    kind: "weston",
    options: { backend: "drm" },
    noFeedback:
      "Weston 16's GL renderer makes the default feedback only when its EGL device names a DRM node (gl_renderer_display_create: create_default_dmabuf_feedback under `if (gr->drm_device)`, libweston/renderer-gl/gl-renderer.c; the node comes from EGL_DRM_RENDER_NODE_FILE_EXT or EGL_DRM_DEVICE_FILE_EXT, egl-glue.c), and linux_dmabuf_setup offers version 5 only with that feedback, else 3 (libweston/linux-dmabuf.c); on vkms, llvmpipe's EGL device is Mesa's software device, which has neither extension. Its pixman renderer imports no dmabufs, and its DRM backend takes client buffers to planes only with GBM (FAILURE_REASONS_NO_GBM removes the scanout tranche, backend-drm/state-propose.c)",
  },
];

const summary: string[] = [];
let gpu: Instance | undefined;

beforeAll(async () => {
  if (vmSkip) return;
  // Sway runs unprivileged and Mesa's EGL opens the card by path; the guest has no udev to grant it
  for (const f of readdirSync("/dev/dri")) if (/^(card|renderD)\d+$/.test(f)) chmodSync(`/dev/dri/${f}`, 0o666);
  gpu = await Instance.create({ validation: true, requireValidation: true });
});
afterAll(() => {
  gpu?.destroy();
  if (summary.length) console.log(`scanout-tranche (vkms):\n  ${summary.join("\n  ")}`);
});

/** The flags of each wp_presentation_feedback.presented in a trace, with the line's index. */
function presentedFlags(trace: readonly string[]): { at: number; flags: number }[] {
  const out: { at: number; flags: number }[] = [];
  trace.forEach((line, at) => {
    const m = /^<- wp_presentation_feedback#\d+\.presented\(.*, (\d+)\)$/.exec(line);
    if (m) out.push({ at, flags: Number(m[1]) });
  });
  return out;
}

/** SCANOUT_TRANCHE_BEDS=sway runs only those kinds. */
const only = process.env.SCANOUT_TRANCHE_BEDS?.split(",");

for (const spec of BEDS) {
  const startable = vmSkip ?? forkyCompositorSkipReason(spec.kind) ?? (only && !only.includes(spec.kind) ? `not in SCANOUT_TRANCHE_BEDS=${only.join(",")}` : undefined);
  describe.skipIf(!!startable)(`${spec.name} on DRM (vkms): per-surface scanout feedback${startable ? ` (skipped: ${startable})` : ""}`, () => {
    let bed: ForkyBed | undefined;
    let cannotStart: string | undefined;
    let globals: GlobalEntry[] = [];

    beforeAll(async () => {
      const started = performance.now();
      try {
        bed = await startForky(spec.kind, spec.options);
        globals = await listGlobals(bed.path, 20_000);
        console.log(`${spec.name} (DRM, vkms) up in ${((performance.now() - started) / 1000).toFixed(1)} s; offers ${globals.map((g) => `${g.interface} v${g.version}`).join(", ")}`);
        if (spec.kind === "sway") {
          // a smaller mode: every composited frame costs llvmpipe under emulation
          const output = (JSON.parse(await bed.swaymsg("", "get_outputs")) as { name: string }[])[0]!.name;
          await bed.swaymsg(`output ${output} mode 640x480`);
        }
      } catch (e) {
        cannotStart = `${spec.name} cannot start on vkms: ${(e as Error).message.split("\n").slice(-12).join(" | ")}`;
        console.warn(`[scanout-tranche.vm.test] ${cannotStart}`);
        summary.push(`${spec.name}: could not start (${(e as Error).message.split("\n")[0]})`);
      }
    }, 300_000);
    afterAll(async () => {
      await bed?.stop();
    });

    it("fullscreen over dmabuf: the scanout tranche arrives, buffers come from it, frames after it are zero-copy, and the screen shows the headless render", async (ctx) => {
      if (cannotStart) return ctx.skip(cannotStart);
      const dmabuf = globals.find((g) => g.interface === "zwp_linux_dmabuf_v1");
      if (!dmabuf || dmabuf.version < 4) {
        // the compositor's own words for it (Weston: "warning: failed to query rendering device from EGL")
        const said = bed!.log().split("\n").filter((l) => /rendering device|EGL device|renderer|dmabuf|dma-buf/i.test(l)).slice(0, 8).join(" | ");
        summary.push(`${spec.name}: zwp_linux_dmabuf_v1 ${dmabuf ? `v${dmabuf.version}` : "not offered"}: no per-surface feedback; its log: ${said}`);
        return ctx.skip(`${spec.name} offers ${dmabuf ? `zwp_linux_dmabuf_v1 v${dmabuf.version} only` : "no zwp_linux_dmabuf_v1"} on vkms: ${spec.noFeedback}`);
      }
      const b = bed!;
      const records: LogRecord[] = [];
      const removeSink = addLogSink((r) => records.push(r));
      setLogLevel("info");
      const connection = Connection.connect({ socket: b.path });
      const trace: string[] = [];
      connection.trace = (line) => trace.push(line);
      const tail = () => `${spec.name}'s log ends:\n${b.log().split("\n").filter((l) => !/\[DEBUG\]/.test(l) || /scan-?out|feedback|dmabuf|DMA-BUF/i.test(l)).slice(-40).join("\n")}`;
      try {
        const out = await openWaylandPresenter(gpu!.createDevice(), { size: [320, 240], connection, title: "scanout", appId: APP, mode: "dmabuf", heartbeatHz: HEARTBEAT_HZ }, true);
        let first: Record<string, number | string> = {};
        let size: readonly [number, number];
        let plane: ScanoutSnapshot | undefined;
        let ours = new Set<number>();
        try {
          out.setFullscreen(true);
          await runScene(out, "triangle", FRAMES, (i) => {
            if (i === 0) first = { ...out.stats.extra };
          }).catch((e: Error) => {
            throw new Error(`${e.message}; ${tail()}`, { cause: e });
          });
          size = out.size;
          expect(await out.shown(FRAMES - 1, 5000), "the last frame was reported on screen").toBe(true);
          // what the display reads now, and the dmabufs we hold (our buffers, while the presenter is open)
          plane = readScanout();
          ours = heldDmabufInodes();
        } finally {
          await out.close();
        }
        const s = out.stats.extra;
        const pacing = out.stats.pacing;
        const scanoutAt = trace.findIndex((l) => /^<- zwp_linux_dmabuf_feedback_v1#\d+\.tranche_flags\(1\)$/.test(l));
        const presented = presentedFlags(trace);
        const zeroCopyBefore = presented.filter((p) => p.at < scanoutAt && p.flags & ZERO_COPY).length;
        const after = presented.filter((p) => scanoutAt >= 0 && p.at > scanoutAt);
        const zeroCopyAfter = after.filter((p) => p.flags & ZERO_COPY).length;
        const figures = {
          size: size.join("x"), frames: out.stats.frames, firstKind: first.bufferKind, firstTranche: first.feedbackTranche, bufferKind: s.bufferKind,
          feedbackTranche: s.feedbackTranche, tranche: s.tranche, scanoutKinds: s.scanoutKinds, mainDevice: s.mainDevice, feedbackChanges: s.feedbackChanges,
          feedbackReallocations: s.feedbackReallocations, resizes: s.resizes, presentedReports: presented.length, scanoutFeedbackAtLine: scanoutAt,
          zeroCopyBefore, presentedAfter: after.length, zeroCopyAfter, pacingZeroCopy: pacing?.zeroCopy,
        };
        console.log(`${spec.name} scanout feedback: ${JSON.stringify(figures)}\n${records.filter((r) => /feedback|tranche|device/.test(r.message)).map((r) => r.message).join("\n")}\n${tail()}`);
        expect(out.backend).toBe("wayland-dmabuf");
        expect(out.stats.frames).toBe(FRAMES);
        expect(connection.error).toBeUndefined();
        expect(b.alive(), `${spec.name} died:\n${tail()}`).toBe(true);
        expect(gpu!.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);
        // the compositor's main device is vkms's primary node (no render node here)
        expect(String(s.mainDevice)).toMatch(/dri\/card\d+ \(primary node\)$/);
        // a surface feedback with a scanout tranche arrived, and the buffers come from that tranche
        expect(scanoutAt, `no scanout tranche in any feedback; ${tail()}`).toBeGreaterThanOrEqual(0);
        expect(s.feedbackTranche).toBe("scanout");
        expect(String(s.tranche)).toMatch(/^#0 device \d+:\d+ scanout/);
        expect(String(s.scanoutKinds).split(" ")).toContain(s.bufferKind);
        // re-allocated where the kind in use was not the scanout tranche's best; left alone where it was
        const best = String(s.scanoutKinds).split(" ")[0];
        if (first.bufferKind !== best) expect(Number(s.feedbackReallocations)).toBeGreaterThanOrEqual(1);
        else expect(Number(s.feedbackReallocations)).toBe(0);
        // zero-copy: the frames after the scanout feedback went straight to the plane
        expect(after.length).toBeGreaterThan(0);
        expect(zeroCopyAfter).toBe(after.length);
        expect(pacing?.zeroCopy).toBe(true);
        // what the user sees: the display's plane reads our own buffer (a udmabuf we hold, not a copy
        // of it in the compositor's memory), and it holds the headless render of the last frame
        expect(plane, "no CRTC shows a framebuffer").toBeDefined();
        const p = plane!;
        console.log(`${spec.name}: the primary plane shows framebuffer ${p.fb}: ${p.width}x${p.height} ${p.format} modifier 0x${p.modifier.toString(16)}, exported by ${p.exporter}, inode ${p.inode} (${ours.has(p.inode) ? "one of our buffers" : "not ours"})`);
        expect([p.width, p.height, p.format, p.modifier]).toEqual([size[0], size[1], "XR24", 0n]);
        expect(p.exporter).toBe("udmabuf");
        expect(ours.has(p.inode), "the plane's dmabuf is one of ours").toBe(true);
        const ref = await headlessFrame(gpu!, "triangle", size, FRAMES - 1);
        expect(litPixels(ref)).toBeGreaterThan(size[0] * size[1] * 0.02);
        const differing = differingPixels({ width: p.width, height: p.height, data: p.data! }, ref);
        summary.push(`${spec.name}: ${JSON.stringify(figures)}; the plane scans out our udmabuf; ${differing} of ${size[0] * size[1]} pixels differ from the headless render`);
        expect(differing).toBe(0);
      } finally {
        removeSink();
        setLogLevel("warn");
        await connection.close();
      }
    }, 600_000);

    it("back to a bordered window: composited, the scanout tranche is withdrawn, buffers stay in the render tranche, frames are not zero-copy", async (ctx) => {
      if (cannotStart) return ctx.skip(cannotStart);
      if (spec.kind !== "sway") return ctx.skip(`${spec.name}: only wlroots' withdrawal is scripted here`);
      const dmabuf = globals.find((g) => g.interface === "zwp_linux_dmabuf_v1");
      if (!dmabuf || dmabuf.version < 4) return ctx.skip(`${spec.name} offers no per-surface feedback on vkms: ${spec.noFeedback}`);
      const b = bed!;
      const connection = Connection.connect({ socket: b.path });
      const trace: string[] = [];
      connection.trace = (line) => trace.push(line);
      const tail = () => `${spec.name}'s log ends:\n${b.log().split("\n").filter((l) => !/\[DEBUG\]/.test(l) || /scan-?out|feedback|dmabuf|DMA-BUF|texture|EGL|error|fail/i.test(l)).slice(-60).join("\n")}`;
      try {
        const out = await openWaylandPresenter(gpu!.createDevice(), { size: [320, 240], connection, title: "scanout-back", appId: APP, mode: "dmabuf", heartbeatHz: HEARTBEAT_HZ }, true);
        let full: Record<string, number | string> = {};
        let back: Record<string, number | string> = {};
        let backZeroCopy: boolean | undefined;
        let plane: ScanoutSnapshot | undefined;
        let ours = new Set<number>();
        let mark = 0;
        try {
          out.setFullscreen(true);
          await runScene(out, "triangle", 40);
          full = { ...out.stats.extra };
          // a title bar and borders: more than one node on the output, so wlroots composites (ineligible for scanout)
          await b.swaymsg(`[app_id="${APP}"] border normal 4`);
          out.setFullscreen(false);
          mark = trace.length;
          await runScene(out, "triangle", 45).catch(async (e: Error) => {
            await new Promise((r) => setTimeout(r, 1000)); // the compositor's exit status arrives after the hang-up
            const status = b.process.exitCode ?? b.process.signalCode;
            summary.push(`${spec.name} leaving fullscreen: the connection ended once wlroots composited our buffer; Sway ${status === null ? "is alive" : `exited (${status})`}`);
            // Sway's GLES2 renderer here is llvmpipe through kms_swrast on vkms's card0; it dies the
            // first time it composites a frame with our window in it (pre-rotation.vm.test.ts saw it
            // die the same way compositing wl_shm windows on a turned output)
            if (status === 139) return ctx.skip(`${spec.name} died of SIGSEGV the first time it composited a frame with our window in it (GLES2 on llvmpipe through kms_swrast on vkms; a compositor crash on this bed, seen with wl_shm windows too in pre-rotation.vm.test.ts), so the withdrawal of the scanout tranche cannot be watched here; ${tail()}`);
            throw new Error(`${e.message}; Sway ${status === null ? "is alive" : `exited (${status})`}; ${tail()}`, { cause: e });
          });
          await out.shown(44, 5000);
          back = { ...out.stats.extra };
          backZeroCopy = out.stats.pacing?.zeroCopy;
          plane = readScanout();
          ours = heldDmabufInodes();
        } finally {
          await out.close();
        }
        const later = trace.slice(mark);
        const withdrawnAt = later.findIndex((l) => /^<- zwp_linux_dmabuf_feedback_v1#\d+\.done\(\)$/.test(l));
        const presented = presentedFlags(later).filter((p) => withdrawnAt >= 0 && p.at > withdrawnAt);
        const figures = {
          fullscreen: { tranche: full.feedbackTranche, scanoutKinds: full.scanoutKinds, kind: full.bufferKind },
          window: { tranche: back.feedbackTranche, scanoutKinds: back.scanoutKinds, kind: back.bufferKind, reallocations: back.feedbackReallocations, feedbackChanges: back.feedbackChanges },
          presentedAfterWithdrawal: presented.length, zeroCopyAfterWithdrawal: presented.filter((p) => p.flags & ZERO_COPY).length, pacingZeroCopy: backZeroCopy,
          plane: plane && { size: `${plane.width}x${plane.height}`, exporter: plane.exporter, ours: ours.has(plane.inode) },
        };
        console.log(`${spec.name} leaving fullscreen: ${JSON.stringify(figures)}\n${tail()}`);
        summary.push(`${spec.name} leaving fullscreen: ${JSON.stringify(figures)}`);
        expect(connection.error).toBeUndefined();
        expect(b.alive(), `${spec.name} died:\n${tail()}`).toBe(true);
        expect(full.feedbackTranche).toBe("scanout");
        expect(withdrawnAt, `no feedback after leaving fullscreen; ${tail()}`).toBeGreaterThanOrEqual(0);
        expect(back.feedbackTranche).toBe("render");
        expect(back.scanoutKinds).toBe("withdrawn");
        expect(back.bufferKind).toBe(full.bufferKind);
        expect(presented.length).toBeGreaterThan(0);
        expect(presented.filter((p) => p.flags & ZERO_COPY)).toEqual([]);
        expect(backZeroCopy).toBe(false);
        // the display reads the compositor's own buffer now, not ours
        expect(plane?.exporter).not.toBe("udmabuf");
        expect(ours.has(plane!.inode)).toBe(false);
        expect(gpu!.validationMessages.filter((m) => m.severity !== "info" && m.severity !== "verbose")).toEqual([]);
      } finally {
        await connection.close();
      }
    }, 600_000);
  });
}
