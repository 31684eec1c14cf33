// Pre-rotated buffers on the VM's DRM device (virtio-gpu, forky root), on the compositors whose host
// beds cannot show it: KWin 6.7 (GL on llvmpipe here, so ScreenShot2 works, unlike --virtual on the
// host), Hyprland 0.56 (DRM only) and labwc 0.20 with wlroots' GLES2 renderer (dmabuf feedback, which
// wlroots needs before it sends preferred_buffer_transform; the host bed is pixman). Each one's output
// is turned 90 degrees with its own tool (KWin: kde_output_management_v2, as kscreen-doctor does;
// Hyprland: `hyprctl keyword monitor ...,transform,1`; labwc: zwlr_output_manager_v1, as wlr-randr
// does), then our window (wl_shm: none of them takes lavapipe's udmabufs on this card, see
// desktop-2026.vm.test.ts) opens with preRotate: the compositor should prefer transform 90, we render
// turned and send set_buffer_transform(90), and the screen shows the headless render as seen.
// A compositor that dies of SIGSEGV skips with gdb's backtrace of its core; a bed that cannot start
// skips with why. PREROTATION_BEDS=kwin,hyprland runs only those.
// Needs the VM on virtio-gpu: VMTEST_GPU=virtio bash test/vm/run-suite.sh test/wayland/pre-rotation-2026.vm.test.ts
import { chmodSync, existsSync, readdirSync } from "node:fs";
import type { PNG } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance, type Presenter } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { allowCores, armCoreDumps, coreBacktrace } from "../helpers/core-dump.js";
import { type ForkyBed, type ForkyCompositor, forkyCompositorSkipReason, forkyRoot, startForky } from "../helpers/forky-bed.js";
import { APP, locate, tracedConnection } from "./compositors/pre-rotation-shared.js";
import { compareRegion, EDGE_PIXELS, headlessFrame, litPixels, runScene } from "./compositors/scenes.js";
import { turnKwinOutput, turnWlrOutput } from "./compositors/turn-output.js";

const FRAMES = 20;
/** Under emulation a frame callback can take over a second: the default heartbeat would render frames it never commits. */
const HEARTBEAT_HZ = 0.1;
const vmSkip = !existsSync("/dev/udmabuf")
  ? "needs the VM: VMTEST_GPU=virtio test/vm/run-suite.sh"
  : !existsSync("/sys/module/virtio_gpu") ? "runs on the VM's virtio-gpu (VMTEST_GPU=virtio)" : undefined;
const only = process.env.PREROTATION_BEDS?.split(",");

interface Spec {
  readonly name: string;
  readonly kind: ForkyCompositor;
  /** The compositor's process name (for its core) and its binary in the root. */
  readonly comm: string;
  readonly binary: string;
  readonly env?: Record<string, string>;
  /** Turns the first output by 90 degrees with the compositor's own tool. */
  turn(bed: ForkyBed): Promise<void>;
  /** How the screen is read: grim (the output) or KWin's ScreenShot2 (our window, a title bar above). */
  readonly screenshot: "output" | "kwin-window";
  /** Floating windows keep the size asked for (KWin, labwc); Hyprland tiles ours over the output. */
  readonly keepsSize: boolean;
}

const SPECS: readonly Spec[] = [
  { name: "KWin 6.7", kind: "kwin", comm: "kwin_wayland", binary: "usr/bin/kwin_wayland", turn: (b) => turnKwinOutput(b.path, "90"), screenshot: "kwin-window", keepsSize: true },
  {
    name: "Hyprland 0.56",
    kind: "hyprland",
    comm: "Hyprland",
    binary: "usr/bin/Hyprland",
    async turn(b) {
      const monitors = JSON.parse((await b.exec(["hyprctl", "-i", "0", "-j", "monitors"])).toString()) as { name: string }[];
      const answer = (await b.exec(["hyprctl", "-i", "0", "keyword", "monitor", `${monitors[0]!.name},preferred,0x0,1,transform,1`])).toString().trim();
      if (answer !== "ok") throw new Error(`hyprctl keyword monitor answered ${JSON.stringify(answer)}`);
    },
    screenshot: "output",
    keepsSize: false,
  },
  {
    // wlroots' GLES2 renderer on llvmpipe (what a user with a GPU gets): it brings linux-dmabuf and its feedback
    name: "labwc 0.20 (GLES2)",
    kind: "labwc",
    comm: "labwc",
    binary: "usr/bin/labwc",
    env: { WLR_RENDERER: "gles2", WLR_RENDERER_ALLOW_SOFTWARE: "1" },
    turn: (b) => turnWlrOutput(b.path, "90"),
    screenshot: "output",
    keepsSize: true,
  },
];

let gpu: Instance | undefined;
const summary: string[] = [];

beforeAll(async () => {
  if (vmSkip) return;
  // Hyprland runs unprivileged and Mesa's EGL opens the card by path; the guest has no udev to grant it
  for (const f of readdirSync("/dev/dri")) if (/^(card|renderD)\d+$/.test(f)) chmodSync(`/dev/dri/${f}`, 0o666);
  const why = armCoreDumps();
  if (why) console.warn(`[pre-rotation-2026.vm.test] no core dumps: ${why}`);
  gpu = await Instance.create({ validation: true, requireValidation: true });
});
afterAll(() => {
  gpu?.destroy();
  if (summary.length) console.log(`pre-rotation-2026 (DRM, virtio-gpu):\n  ${summary.join("\n  ")}`);
});
if (vmSkip) console.warn(`[pre-rotation-2026.vm.test] skipped: ${vmSkip}`);

for (const spec of SPECS) {
  const skip = vmSkip ?? forkyCompositorSkipReason(spec.kind) ?? (only && !only.includes(spec.kind) ? `not in PREROTATION_BEDS=${only.join(",")}` : undefined);
  describe.skipIf(!!skip)(`${spec.name} on DRM, output turned 90: pre-rotated buffers${skip ? ` (skipped: ${skip})` : ""}`, () => {
    let bed: ForkyBed | undefined;
    let cannotStart: string | undefined;

    beforeAll(async () => {
      const started = performance.now();
      try {
        bed = await startForky(spec.kind, { backend: "drm", ...(spec.env ? { env: spec.env } : {}) });
        allowCores(spec.comm);
        await spec.turn(bed);
        console.log(`${spec.name} (DRM) up and turned in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      } catch (e) {
        cannotStart = `${spec.name} could not start or turn its output on the VM's DRM device: ${(e as Error).message.split("\n").slice(-12).join(" | ")}`;
        console.warn(`[pre-rotation-2026.vm.test] ${cannotStart}`);
        summary.push(`${spec.name}: ${cannotStart}`);
      }
    });
    afterAll(async () => {
      await bed?.stop();
    });

    /** The compositor died of SIGSEGV: a note with gdb's backtrace of its core. */
    async function crashed(b: ForkyBed): Promise<string | undefined> {
      await new Promise((r) => setTimeout(r, 1000)); // the exit status arrives after the hang-up
      if (b.process.exitCode !== 139) return undefined;
      const bt = coreBacktrace(forkyRoot!, spec.comm, spec.binary);
      summary.push(`${spec.name}: SIGSEGV with our window on its turned output; backtrace:\n${bt}`);
      return `${spec.name} died of SIGSEGV once our window mapped on its turned output (a compositor crash, not a protocol error of ours); gdb: ${bt.split("\n").slice(0, 8).join(" | ")}`;
    }

    it("the mesh with preRotate: the compositor prefers 90, we render turned and send set_buffer_transform(90); the screen shows the headless render as seen", async (ctx) => {
      if (cannotStart) return ctx.skip(cannotStart);
      const b = bed!;
      const { connection, lines } = tracedConnection(b.path);
      let out: Presenter | undefined;
      let shot: PNG;
      let size: [number, number];
      let stats: Record<string, unknown>;
      try {
        out = await openWaylandPresenter(gpu!.createDevice(), { size: [320, 240], connection, title: "pre-rotate", appId: APP, mode: "shm", preRotate: true, heartbeatHz: HEARTBEAT_HZ }, true);
        await runScene(out, "mesh", FRAMES);
        expect(await out.shown(FRAMES - 1, 20_000), `${spec.name} reports the last frame shown`).toBe(true);
        size = [...out.size];
        stats = { ...out.stats.extra };
        shot = spec.screenshot === "kwin-window" ? await b.kwinActiveWindowShot() : await b.screenshot();
      } catch (e) {
        const note = await crashed(b);
        if (note) return ctx.skip(note);
        throw new Error(`${(e as Error).message}; ${spec.name} ${b.alive() ? "is alive" : `exited (${b.process.exitCode ?? b.process.signalCode})`}; its log ends:\n${b.log().split("\n").slice(-25).join("\n")}`, { cause: e });
      } finally {
        await out?.close();
        await connection.close();
      }
      const prefers = lines.some((l) => l.startsWith("<-") && l.includes("preferred_buffer_transform(1)"));
      const sends = lines.some((l) => l.startsWith("->") && l.includes("set_buffer_transform(1)"));
      const seen: [number, number] = stats.bufferTransform === "90" ? [size[1], size[0]] : size;
      const ref = await headlessFrame(gpu!, "mesh", seen, FRAMES - 1);
      expect(litPixels(ref)).toBeGreaterThan(1000);
      // the textured mesh sampled at turned pixel centres settles a few texels the other way (see the host beds)
      const allowed = stats.bufferTransform === "normal" ? 0 : Math.max(EDGE_PIXELS(ref), Math.ceil((ref.width * ref.height) / 2000));
      let at: [number, number] | undefined;
      if (spec.screenshot === "kwin-window") at = [shot.width - seen[0], shot.height - seen[1]]; // content below our title bar
      else at = locate(shot, ref, allowed);
      const c = at ? compareRegion(shot, ref, at[0], at[1]) : undefined;
      summary.push(
        `${spec.name}: preferred_buffer_transform(90) ${prefers ? "sent" : "not sent"}; we sent set_buffer_transform(90): ${sends}; buffers ${size.join("x")} (${String(stats.bufferTransform)}), window ${seen.join("x")} as seen; screenshot ${shot.width}x${shot.height}: ${c ? `${c.differing} pixels differ (largest ${c.maxDiff}) at ${at!.join(",")}` : "the headless render is not on it"}`,
      );
      expect(prefers, `${spec.name} prefers transform 90 for our surface`).toBe(true);
      expect(sends).toBe(true);
      expect(stats.preferredTransform).toBe("90");
      expect(stats.bufferTransform).toBe("90");
      if (spec.keepsSize) expect(seen, "the window as seen keeps the size asked for; its buffers are turned").toEqual([320, 240]);
      expect(c, "the headless render (as seen) is on the screen").toBeDefined();
      expect(c!.differing).toBeLessThanOrEqual(allowed);
      expect(c!.maxDiff).toBeLessThanOrEqual(16);
      expect(b.alive()).toBe(true);
      expect(gpu!.validationMessages).toEqual([]);
    });
  });
}
