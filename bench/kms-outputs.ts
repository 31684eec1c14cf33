// KMS over several outputs: two and three outputs of a vkms device built through configfs (kernel
// 7.x; in the VM: VMTEST_VKMS=configfs test/vm/run-in-vm.sh 'node dist/bench/kms-outputs.js'), the
// triangle rendered into one shared image (extend) by the Vulkan KMS presenter. Per output: flips per
// second from its flip events and vblanks per second from the kernel's vblank counter (the sequence
// the flip events carry), each against the mode's refresh (target: within 2%), and vblanks missed
// between flips; per run: whole-process CPU per frame and per frame and output. And the vblanks
// alone (benchVblanks): each output lit once with a still buffer, its vblank counter read from the
// kernel (CRTC_GET_SEQUENCE) at the start and end, and one vblank event waited for after another
// (CRTC_QUEUE_SEQUENCE): the counter's rate is the emulated kernel's (vkms's timer), the events' the
// rate at which JavaScript gets to see them; with no commit in between, neither is our flip path's.
// Caveat: under QEMU TCG JavaScript runs ~20x slower and lavapipe renders on emulated CPUs: a rate
// below the refresh there is the frame loop's (render-bound), not the flips'.
import { existsSync } from "node:fs";
import { Instance } from "../src/vk/index.js";
import { FrameLoop } from "../src/present/frame-loop.js";
import {
  addModeset, AtomicRequest, assignOutputs, crtcSequence, DrmDevice, DrmEvents, DumbBuffer, fullScreenPlane, guardState, listOutputs, modeRefresh, planLayout,
  readDisplayObjects, selectOutputs, turnedSize,
} from "../src/drm/index.js";
import { OutputHead, type HeadHost } from "../src/present/kms-head.js";
import type { KmsTarget } from "../src/present/kms-targets.js";
import { KmsMultiBackend } from "../src/present/kms-multi.js";
import { Triangle } from "../src/scenes/index.js";
import { outputsTopology, VkmsConfigfsDevice, VKMS_CONFIGFS } from "../test/helpers/vkms-configfs.js";

export interface OutputsFigures {
  outputs: number;
  mode: string;
  seconds: number;
  frames: number;
  loopFps: number;
  cpuMsPerFrame: number;
  cpuMsPerFrameOutput: number;
  /** Per output: name, refresh, flips/s, vblanks/s, ratio of flips to refresh, vblanks missed. */
  perOutput: { name: string; refreshHz: number; flipsPerSecond: number; vblanksPerSecond: number; flipRatio: number; missedVblanks: number }[];
}

/** One run of `n` outputs: a warm-up, then `seconds` of frames measured. */
export async function benchOutputs(gpu: Instance, n: number, options: { mode?: string; seconds?: number } = {}): Promise<OutputsFigures> {
  const mode = options.mode ?? "640x480";
  const seconds = options.seconds ?? 5;
  const wall = await VkmsConfigfsDevice.create("benchwall", outputsTopology(n, { writeback: false }));
  const device = gpu.createDevice();
  try {
    const backend = KmsMultiBackend.open(device, { drm: wall.card, connectors: "all", layout: "extend", mode, hotplug: false, input: false });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    try {
      const draw = (frame: Parameters<Parameters<typeof out.run>[0]>[0]) => {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
      };
      await out.run(draw, { limit: 60 }); // modesets, lazy framebuffers, JIT
      const first = backend.heads.map((h) => ({ flips: h.flips.log.events.length, seq: h.flips.log.events.at(-1)!.sequence, us: h.flips.log.events.at(-1)!.timeUs, missed: h.flips.log.missedVblanks }));
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let frames = 0;
      await out.run((frame) => {
        draw(frame);
        frames++;
        return performance.now() - t0 < seconds * 1000;
      });
      await backend.idle();
      const cpu = process.cpuUsage(cpu0);
      const wallS = (performance.now() - t0) / 1000;
      const cpuMsPerFrame = (cpu.user + cpu.system) / 1000 / frames;
      const perOutput = backend.heads.map((h, i) => {
        const ev = h.flips.log.events;
        const last = ev.at(-1)!;
        const spanS = (last.timeUs - first[i]!.us) / 1e6;
        const flipsPerSecond = (ev.length - first[i]!.flips) / spanS; // the log keeps 500-1000 events: enough for these runs
        const vblanksPerSecond = (last.sequence - first[i]!.seq) / spanS;
        return {
          name: h.name, refreshHz: round(h.refresh), flipsPerSecond: round(flipsPerSecond), vblanksPerSecond: round(vblanksPerSecond),
          flipRatio: round(flipsPerSecond / h.refresh, 4), missedVblanks: h.flips.log.missedVblanks - first[i]!.missed,
        };
      });
      return {
        outputs: n, mode, seconds: round(wallS), frames, loopFps: round(frames / wallS), cpuMsPerFrame: round(cpuMsPerFrame),
        cpuMsPerFrameOutput: round(cpuMsPerFrame / n), perOutput,
      };
    } finally {
      scene.destroy();
      await out.close();
    }
  } finally {
    device.destroy();
    wall.destroy();
  }
}

/**
 * The presenter's per-output flip path alone (OutputHead, kms-head.ts), without rendering: each
 * output flips between two dumb buffers of the shared image's size as fast as its flips allow, for
 * `seconds`. Shows whether the flips themselves keep the refresh on every output at once.
 */
export async function benchHeads(n: number, options: { mode?: string; seconds?: number } = {}): Promise<Omit<OutputsFigures, "frames" | "loopFps" | "cpuMsPerFrame">> {
  const mode = options.mode ?? "640x480";
  const seconds = options.seconds ?? 5;
  const wall = await VkmsConfigfsDevice.create("benchwall", outputsTopology(n, { writeback: false }));
  const drm = DrmDevice.open(wall.card);
  const guard = guardState(drm);
  const buffers: DumbBuffer[] = [];
  try {
    const paths = assignOutputs(readDisplayObjects(drm), selectOutputs(listOutputs(drm).outputs, "all"), { mode });
    const plan = planLayout(paths.map((p) => turnedSize(p)), "extend");
    const heads = paths.map((p, i) => {
      const bufs = [DumbBuffer.create(drm, plan.width, plan.height), DumbBuffer.create(drm, plan.width, plan.height)];
      bufs.forEach((b, k) => b.fillPattern(k));
      buffers.push(...bufs);
      const targets = bufs.map((b) => ({ fb: b.fb, state: "free", inFence: -1 }) as unknown as KmsTarget);
      let frame = 0;
      let head!: OutputHead;
      const host: HeadHost = {
        drm,
        latest: () => ({ target: head.onScreen === targets[0] ? targets[1]! : targets[0]!, frame: frame++ }),
        flipped: (h) => h.update(),
        failed: (_h, e) => {
          throw e;
        },
        released: () => {},
      };
      head = new OutputHead(host, p, plan.viewports[i]!, 0, false, undefined);
      return head;
    });
    heads.forEach((h) => h.update());
    await new Promise((r) => setTimeout(r, 1000)); // modesets land, the rate settles
    const first = heads.map((h) => ({ flips: h.flips.log.events.length, seq: h.flips.log.events.at(-1)!.sequence, us: h.flips.log.events.at(-1)!.timeUs, missed: h.flips.log.missedVblanks }));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpu = process.cpuUsage(cpu0);
    const wallS = (performance.now() - t0) / 1000;
    for (const h of heads) h.pause(); // no more commits; the last flips land
    for (const h of heads) while (h.flips.pending) await h.flips.pending;
    const perOutput = heads.map((h, i) => {
      const ev = h.flips.log.events;
      const last = ev.at(-1)!;
      const spanS = (last.timeUs - first[i]!.us) / 1e6;
      const flipsPerSecond = (ev.length - first[i]!.flips) / spanS;
      return {
        name: h.name, refreshHz: round(h.refresh), flipsPerSecond: round(flipsPerSecond), vblanksPerSecond: round((last.sequence - first[i]!.seq) / spanS),
        flipRatio: round(flipsPerSecond / h.refresh, 4), missedVblanks: h.flips.log.missedVblanks - first[i]!.missed,
      };
    });
    for (const h of heads) h.close();
    const flips = perOutput.reduce((a, o) => a + o.flipsPerSecond, 0) * wallS;
    return { outputs: n, mode, seconds: round(wallS), cpuMsPerFrameOutput: round((cpu.user + cpu.system) / 1000 / flips, 3), perOutput };
  } finally {
    guard.restore();
    for (const b of buffers) b.destroy();
    drm.close();
    wall.destroy();
  }
}

/** Per output: the refresh, the kernel's vblank counter rate, and the vblank events JavaScript saw per second. */
export interface VblankFigures {
  outputs: number;
  mode: string;
  seconds: number;
  cpuMsPerEvent: number;
  perOutput: { name: string; refreshHz: number; counterHz: number; counterRatio: number; eventsPerSecond: number; eventRatio: number }[];
}

/** `n` outputs lit with a still buffer each; for `seconds`, every output's next vblank event is queued as soon as the last one came. */
export async function benchVblanks(n: number, options: { mode?: string; seconds?: number } = {}): Promise<VblankFigures> {
  const mode = options.mode ?? "640x480";
  const seconds = options.seconds ?? 5;
  const wall = await VkmsConfigfsDevice.create("benchwall", outputsTopology(n, { writeback: false }));
  const drm = DrmDevice.open(wall.card);
  const guard = guardState(drm);
  const buffers: DumbBuffer[] = [];
  try {
    const paths = assignOutputs(readDisplayObjects(drm), selectOutputs(listOutputs(drm).outputs, "all"), { mode });
    const req = new AtomicRequest(drm);
    const blobs = paths.map((p) => {
      const b = DumbBuffer.create(drm, p.mode.hdisplay, p.mode.vdisplay);
      b.fillPattern(0);
      buffers.push(b);
      const blob = drm.createModeBlob(p.mode);
      addModeset(req, p, blob, fullScreenPlane(p, b.fb));
      return blob;
    });
    await req.commit({ allowModeset: true, pageFlipEvent: true }).flip;
    for (const b of blobs) drm.destroyBlob(b);
    await new Promise((r) => setTimeout(r, 1000)); // the modesets settle
    const events = DrmEvents.of(drm);
    const counts = paths.map(() => 0);
    const start = paths.map((p) => crtcSequence(drm, p.crtc));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(paths.map(async (p, i) => {
      while (performance.now() - t0 < seconds * 1000) {
        await events.vblank(p.crtc);
        counts[i]!++;
      }
    }));
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const perOutput = paths.map((p, i) => {
      const end = crtcSequence(drm, p.crtc);
      const counterHz = Number(end.sequence - start[i]!.sequence) / (Number(end.timeNs - start[i]!.timeNs) / 1e9);
      const refresh = modeRefresh(p.mode);
      const eventsPerSecond = counts[i]! / wallS;
      return {
        name: p.connector.name, refreshHz: round(refresh), counterHz: round(counterHz), counterRatio: round(counterHz / refresh, 4),
        eventsPerSecond: round(eventsPerSecond), eventRatio: round(eventsPerSecond / refresh, 4),
      };
    });
    const total = counts.reduce((a, c) => a + c, 0);
    return { outputs: n, mode, seconds: round(wallS), cpuMsPerEvent: round((cpu.user + cpu.system) / 1000 / total, 3), perOutput };
  } finally {
    guard.restore();
    for (const b of buffers) b.destroy();
    drm.close();
    wall.destroy();
  }
}

const round = (x: number, digits = 2) => Number(x.toFixed(digits));

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  (async () => {
    if (!existsSync(VKMS_CONFIGFS)) throw new Error(`no ${VKMS_CONFIGFS}: run it in the VM (VMTEST_VKMS=configfs test/vm/run-in-vm.sh 'node dist/bench/kms-outputs.js')`);
    const gpu = await Instance.create();
    try {
      const mode = process.env.MODE ?? "640x480";
      const seconds = Number(process.env.SECONDS ?? 5);
      for (const n of [1, 2, 3]) console.log(JSON.stringify({ vblanksOnly: true, ...(await benchVblanks(n, { mode, seconds })) }));
      if (process.env.ONLY === "vblanks") return;
      for (const n of [1, 2, 3]) console.log(JSON.stringify({ flipsOnly: true, ...(await benchHeads(n, { mode, seconds })) }));
      for (const n of [2, 3]) console.log(JSON.stringify(await benchOutputs(gpu, n, { mode, seconds })));
    } finally {
      gpu.destroy();
    }
  })().catch((e: unknown) => {
    console.error(`bench kms-outputs: ${e instanceof Error ? e.message : e}`);
    process.exitCode = 1;
  });
}
