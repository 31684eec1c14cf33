// Pre-rotated buffers on Sway 1.12 on DRM (the VM's virtio-gpu, forky root), output turned
// (`output NAME transform 90`). What wlroots 0.20 does, read in its source (types/scene/wlr_scene.c):
// the only caller of wlr_surface_set_preferred_buffer_transform is scene_buffer_send_dmabuf_feedback,
// which sends the output's transform only with *scanout* feedback (normal with composition feedback).
// Scanout feedback goes to a surface that is alone on the output (one entry in the render list) after
// 30 frames, and scene_entry_try_direct_scanout returns SCANOUT_INELIGIBLE before it when the buffer's
// transform differs from the output's: a client with normal buffers is never told to turn them. So a
// floating window (ours, wl_shm: Sway refuses lavapipe's udmabufs on virtio-gpu) gets no preference:
// normal buffers with or without preRotate, no set_buffer_transform, and grim's shot of the output (as
// seen) equals the headless render. labwc, the same wlroots, shows both halves of that
// (pre-rotation-2026.vm.test.ts).
// On this bed Sway itself dies of SIGSEGV as soon as a window maps on its turned output: the forky
// root's own weston-simple-shm as well as ours, with normal buffers as with turned ones, and with
// WLR_SCENE_DISABLE_DIRECT_SCANOUT=1 too (seen on virtio-gpu and vkms, 7.3). gdb (the host's, attached
// to Sway) shows both llvmpipe rasterizer threads faulting at one instruction of llvmpipe's JIT-compiled
// fragment code, a texel gather (vpgatherdd), while Sway's main thread waits in Mesa's libgallium:
// a texture read out of bounds while Sway's GLES2 renderer draws. labwc (the same wlroots 0.20.2,
// renderer and output transform) does not crash. The tests then skip with that note and gdb's
// backtrace; any other failure fails them. gdb reads llvmpipe's and Mesa's symbols for minutes under
// TCG (208 s of a CI boot), so the backtrace is taken only with SCANOUT_GDB=1.
// Needs the VM on virtio-gpu: VMTEST_GPU=virtio bash test/vm/run-suite.sh test/wayland/pre-rotation.vm.test.ts
import { chmodSync, existsSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Instance, type Presenter } from "../../src/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { Connection } from "../../src/wayland/connection.js";
import { allowCores, armCoreDumps, type AttachedGdb, attachGdb, coreBacktrace } from "../helpers/core-dump.js";
import { type ForkyBed, forkyCompositorSkipReason, forkyRoot, startForky } from "../helpers/forky-bed.js";
import { type SwayNode, swayWindows } from "../../scripts/testbed/sway.js";
import { compareRegion, EDGE_PIXELS, headlessFrame, litPixels, runScene, type SceneName } from "./compositors/scenes.js";

/** gdb's backtrace of a crash costs minutes of symbol reading under TCG: only when asked for. */
const WANT_GDB = process.env.SCANOUT_GDB === "1";

const APP = "dev.scanout.prerotate";
const FRAMES = 20;
/** Under emulation a frame callback can take over a second: the default heartbeat would render frames it never commits. */
const HEARTBEAT_HZ = 0.1;
/** Whether the boot has virtio-gpu (card0 then; the vkms boot has Sway crash the same way, and each Sway start costs a minute there). */
const onVirtioGpu = () => existsSync("/sys/module/virtio_gpu");
const vmSkip = !existsSync("/dev/udmabuf") ? "needs the VM: VMTEST_GPU=virtio test/vm/run-suite.sh" : !onVirtioGpu() ? "runs on the VM's virtio-gpu (VMTEST_GPU=virtio)" : undefined;
const skip = vmSkip ?? forkyCompositorSkipReason("sway");
if (skip) console.warn(`[pre-rotation.vm.test] skipped: ${skip}`);

describe.skipIf(!!skip)(`Sway 1.12 on DRM, output transform 90: pre-rotated buffers${skip ? ` (skipped: ${skip})` : ""}`, () => {
  let gpu: Instance;
  let bed: ForkyBed;
  let output = "";
  let gdb: AttachedGdb | undefined;
  /** Set when Sway died of SIGSEGV with our window on its turned output: later tests skip with it (the first one shows it happens without pre-rotation too). */
  let crashNote: string | undefined;

  beforeAll(async () => {
    // Sway runs unprivileged and Mesa's EGL opens the card by path; the guest has no udev to grant it
    for (const f of readdirSync("/dev/dri")) if (/^(card|renderD)\d+$/.test(f)) chmodSync(`/dev/dri/${f}`, 0o666);
    const why = armCoreDumps();
    if (why) console.warn(`[pre-rotation.vm.test] no core dumps: ${why}`);
    gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  // Sway with its output turned before our window comes; started again for a test after one that it survived not
  beforeEach(async () => {
    if (crashNote || bed?.alive()) return;
    await bed?.stop();
    bed = await startForky("sway", { backend: "drm" });
    const cores = allowCores("sway");
    gdb?.stop();
    gdb = WANT_GDB ? attachGdb(forkyRoot!, "sway") : undefined;
    console.log(`Sway (pids ${cores.join(", ")}): core limit raised; gdb ${!WANT_GDB ? "not asked for (SCANOUT_GDB=1)" : gdb ? ((await gdb.ready) ? "attached" : "did not attach in time") : "not available"}`);
    output = (JSON.parse(await bed.swaymsg("", "get_outputs")) as { name: string }[])[0]!.name;
    await bed.swaymsg(`output ${output} transform 90`);
    const shot = await bed.screenshot();
    expect(shot.width, "grim shows the output turned (portrait)").toBeLessThan(shot.height);
  }, 240_000);
  afterAll(async () => {
    gdb?.stop();
    await bed?.stop();
    gpu?.destroy();
  });

  /** Sway died of SIGSEGV while our window was on its turned output: the note the test skips with (any other failure fails it). */
  async function swayCrashed(whose = "a window (ours, with or without pre-rotated buffers: the same with normal buffers and no set_buffer_transform)"): Promise<string | undefined> {
    await new Promise((r) => setTimeout(r, 1000)); // the compositor's exit status arrives after the hang-up
    // gdb holds Sway on the signal while it reads the libraries' symbols and prints the backtrace, then lets it die
    for (const deadline = Date.now() + 300_000; gdb?.sawSignal() && bed.alive() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 500));
    if (bed.process.exitCode !== 139) return undefined;
    const bt = gdb?.backtrace() || (WANT_GDB ? coreBacktrace(forkyRoot!, "sway", "usr/bin/sway") : "no backtrace taken (SCANOUT_GDB=1 takes one)");
    console.log(`Sway 1.12 (DRM, ${output} transform 90) died of SIGSEGV; gdb's backtrace of its core:\n${bt}`);
    return (crashNote = `Sway 1.12 on DRM died of SIGSEGV once ${whose} mapped on its turned output (${output} transform 90): a compositor crash on this bed (in llvmpipe's JIT code under its GLES2 renderer on kms_swrast; on vkms too), not a protocol error of ours; gdb: ${bt.split("\n").slice(0, 8).join(" | ")}; its log ends: ${bed.log().split("\n").slice(-6).join(" | ")}`);
  }

  async function show(name: SceneName, preRotate: boolean) {
    if (crashNote) return { crashed: crashNote };
    const connection = Connection.connect({ socket: bed.path });
    const lines: string[] = [];
    connection.trace = (line) => {
      if (/buffer_transform/.test(line)) lines.push(line);
    };
    let out: Presenter | undefined;
    try {
      out = await openWaylandPresenter(gpu.createDevice(), { size: [320, 240], connection, title: name, appId: APP, mode: "shm", preRotate, heartbeatHz: HEARTBEAT_HZ }, true);
      await runScene(out, name, FRAMES);
      const stats = { ...out.stats.extra };
      const size = out.size;
      const win = swayWindows(JSON.parse(await bed.swaymsg("", "get_tree")) as SwayNode).find((n) => n.app_id === APP);
      if (!win) throw new Error("our window is not in Sway's tree");
      const shot = await bed.screenshot();
      await out.close();
      out = undefined;
      const ref = await headlessFrame(gpu, name, [320, 240], FRAMES - 1);
      expect(litPixels(ref)).toBeGreaterThan(1000);
      const c = compareRegion(shot, ref, win.rect.x, win.rect.y);
      console.log(`Sway 1.12 DRM (${output} transform 90), ${name}, preRotate ${preRotate}: buffers ${size[0]}x${size[1]} ${String(stats.bufferTransform)}; screenshot ${shot.width}x${shot.height}, window at ${win.rect.x},${win.rect.y}; ${c.differing} pixels differ by more than 1 (largest ${c.maxDiff})`);
      return { result: { lines, stats, size, c, ref } };
    } catch (e) {
      const crashed = await swayCrashed();
      if (crashed) return { crashed };
      throw new Error(`${(e as Error).message}; Sway ${bed.alive() ? "is alive" : `exited (${bed.process.exitCode ?? bed.process.signalCode})`}; gdb: ${gdb?.backtrace() || "nothing"}; its log ends:\n${bed.log().split("\n").slice(-30).join("\n")}`, { cause: e });
    } finally {
      await out?.close();
      await connection.close();
    }
  }

  it("a stock client first: weston-simple-shm's window on the turned output (Sway survives it, or the crash is Sway's alone)", async (ctx) => {
    if (crashNote) return ctx.skip(crashNote);
    // runs as Sway's user in its namespaces; `timeout` ends it while Sway lives
    await bed.exec(["timeout", "20", "weston-simple-shm"], { timeoutMs: 120_000 }).catch(() => undefined);
    const crashed = await swayCrashed("the forky root's own weston-simple-shm (wl_shm, no pre-rotation)");
    if (crashed) return ctx.skip(crashed);
    expect(bed.alive()).toBe(true);
  });

  it("without preRotate: no preference for a floating window, normal buffers, no set_buffer_transform; the screen equals the headless render", async (ctx) => {
    const { result: r, crashed } = await show("triangle", false);
    if (!r) return ctx.skip(crashed);
    expect(r.lines.filter((l) => l.startsWith("<-") && !l.includes("preferred_buffer_transform(0)"))).toEqual([]);
    expect(r.stats.preferredTransform).toBe("normal");
    expect(r.stats.bufferTransform).toBe("normal");
    expect(r.lines.filter((l) => l.startsWith("->"))).toEqual([]);
    expect(r.size).toEqual([320, 240]);
    expect(r.c.differing).toBe(0);
  });

  it("mesh with preRotate: still no preference (wlroots prefers a turn only to a lone surface already turned): normal buffers; the screen equals the headless render", async (ctx) => {
    const { result: r, crashed } = await show("mesh", true);
    if (!r) return ctx.skip(crashed);
    expect(r.lines.filter((l) => !l.includes("preferred_buffer_transform(0)"))).toEqual([]);
    expect(r.stats.preferredTransform).toBe("normal");
    expect(r.stats.bufferTransform).toBe("normal");
    expect(r.size).toEqual([320, 240]);
    expect(r.c.differing).toBeLessThanOrEqual(EDGE_PIXELS(r.ref));
    expect(bed.alive()).toBe(true);
    expect(gpu.validationMessages).toEqual([]);
  });
});
