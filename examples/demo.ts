#!/usr/bin/env -S node --no-memory-reducer
// npm run demo: renders a scene on the best backend available here and reports what it did.
import { FrameTracer, Instance, openPresenter, serveStatus, writePng, type Pixels, type Presenter } from "../src/index.js";
import { parseArgs, USAGE, UsageError, type DemoArgs } from "./cli-args.js";
import { defaultScene, scenes } from "./scenes.js";
import { TexturedMesh } from "../src/scenes/index.js";
import { DemoControls } from "./demo-controls.js";

async function run(args: DemoArgs): Promise<void> {
  await using gpu = await Instance.create({ validation: args.validation });
  if (args.listDevices) {
    const devices = gpu.physicalDevices();
    if (devices.length === 0) throw new Error("no Vulkan devices found");
    devices.forEach((d, i) => console.log(`${i}: ${d.summary()}`));
    return;
  }
  const sceneName = args.scene ?? defaultScene();
  const loadScene = scenes[sceneName];
  if (!loadScene) throw new UsageError(`--scene: unknown scene '${sceneName}' (one of ${Object.keys(scenes).join(", ")})`);

  await using out: Presenter = await openPresenter(gpu, {
    prefer: args.backend ? [args.backend] : args.connectors ? ["kms"] : undefined,
    size: args.size,
    title: `scanout ${sceneName}`,
    connector: args.connector,
    connectors: args.connectors,
    layout: args.layout,
    rotate: args.rotate,
    mode: args.mode,
    presentMode: args.presentMode,
    maxFps: args.maxFps,
    color: args.color,
    preRotate: true, // every demo scene applies RenderTarget.transform
  });
  await using status = args.status ? await serveStatus(out, { ...args.status, allowRemote: args.statusAllowRemote }) : undefined;
  if (status) console.log(`status page: ${status.url}`);
  const scene = await loadScene(out, args);
  try {
    const outPath = args.out ?? (out.backend === "headless" ? "demo.png" : undefined);
    const limit = args.frames === 0 && out.backend !== "headless" ? undefined : args.frames;
    let last: Promise<Pixels> | undefined;
    const tracer = args.trace ? new FrameTracer() : undefined;
    let firstFrameMs = 0;
    let firstFrameCpu: NodeJS.CpuUsage | undefined;
    const controls = new DemoControls(out);
    let frameIndex = 0;
    controls.statusLine = () => `scanout ${sceneName} on ${out.backend}, ${out.size[0]}x${out.size[1]}, frame ${frameIndex}, ${out.stats.fps.toFixed(1)} frames/s`;
    if (scene instanceof TexturedMesh) scene.camera = controls.orbit;
    if (args.inhibitIdle && !out.window?.inhibitIdle(true)) console.log("--inhibit-idle: no window, or the compositor offers no idle-inhibit");
    if (args.icon && !out.window?.setIcon(args.icon)) console.log("--icon: no window, or the compositor shows no client icons (xdg-toplevel-icon)");
    // out.run hands a frame that is ready at once to the body without a promise (see Presenter.run)
    await out.run(
      (frame) => {
        frameIndex = frame.index;
        if (controls.poll()) return false; // Esc or q
        if (frame.index === 0) {
          firstFrameMs = performance.now(); // ms since this process started
          firstFrameCpu = process.cpuUsage(); // all threads, the driver's included: less sensitive to machine load than wall time
        }
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        if (outPath && limit !== undefined && frame.index === limit - 1) last = frame.capture();
        return true;
      },
      { limit, tracer, frozenTime: args.time },
    );
    const s = out.stats;
    console.log(`device: ${out.device.physical.name}`);
    console.log(`backend: ${out.backend}, scene: ${sceneName}, size: ${out.size[0]}x${out.size[1]}`);
    const colour = s.colour;
    if (colour) console.log(`colour: ${colour.inEffect}${colour.reason ? ` (asked for ${colour.requested}: ${colour.reason})` : ""}`);
    const pacing = s.pacing;
    if (pacing && out.backend !== "headless") {
      console.log(`present mode: ${pacing.mode}${pacing.reason ? ` (${pacing.reason})` : ""}, presented ${pacing.presented}, dropped ${pacing.dropped}`);
    }
    console.log(`first frame: ${firstFrameMs.toFixed(0)} ms after process start`);
    // for bench/startup.ts, which measures from before `npm run demo` starts
    if (process.env.SCANOUT_PRINT_FIRST_FRAME_EPOCH) {
      console.log(`first frame epoch ms: ${(performance.timeOrigin + firstFrameMs).toFixed(0)}`);
      if (firstFrameCpu) console.log(`first frame cpu ms: ${((firstFrameCpu.user + firstFrameCpu.system) / 1000).toFixed(0)}`);
    }
    console.log(`frames: ${s.frames} in ${s.seconds.toFixed(3)} s, ${s.fps.toFixed(1)} frames/s, ${s.cpuMsPerFrame.toFixed(3)} CPU ms/frame`);
    if (out.endReason) console.log(`ended early: ${out.endReason}`);
    if (tracer && args.trace) {
      tracer.write(args.trace);
      console.log(`wrote ${args.trace} (${tracer.events} trace events)`);
    }
    if (last && outPath) {
      writePng(outPath, await last);
      console.log(`wrote ${outPath}`);
    }
  } finally {
    scene.destroy();
  }
  if (gpu.validationEnabled && gpu.validationErrors.length) throw new Error(`${gpu.validationErrors.length} validation errors (see above)`);
}

async function main(): Promise<number> {
  let args: DemoArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  try {
    await run(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`demo: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`demo: ${(error as Error).message}\n`);
    if (process.env.SCANOUT_LOG === "debug") process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = await main();
