// What the compute and shader examples share with the demo: its options (--backend, --frames,
// --size, --out, --validation, ...), a presenter, a frame loop that captures the last frame to PNG
// when headless, and exit codes (2 for bad usage, 1 for errors and validation errors).
import { Instance, openPresenter, writePng, type Pixels, type Presenter, type Scene } from "../src/index.js";
import type { InputEvent } from "../src/input/index.js";
import { parseArgs, USAGE, UsageError, type DemoArgs } from "./cli-args.js";

/** A scene an example draws, told of the presenter's input events if it wants them. */
export interface AppScene extends Scene {
  input?(event: InputEvent): void;
}

/** One example program: its name, what its usage line puts before the demo's options, and how it makes its scene. */
export interface App {
  name: string;
  /** e.g. "FILE.frag": a required first argument; omit for none. */
  argument?: string;
  /** A line or two on what the program does, for --help. */
  about: string;
  scene(out: Presenter, args: DemoArgs, argument: string | undefined): Promise<AppScene> | AppScene;
}

function parse(app: App, argv: readonly string[]): { args: DemoArgs; argument: string | undefined } {
  const wantsArgument = app.argument !== undefined && argv[0] !== undefined && !argv[0].startsWith("-");
  const argument = wantsArgument ? argv[0] : undefined;
  const args = parseArgs(wantsArgument ? argv.slice(1) : argv);
  if (args.help) return { args, argument };
  const unsupported = [["--scene", args.scene], ["--model", args.model], ["--texture", args.texture], ["--trace", args.trace], ["--status", args.status]] as const;
  for (const [flag, value] of unsupported) {
    if (value !== undefined) throw new UsageError(`${flag} is not an option of ${app.name}`);
  }
  if (args.listDevices) throw new UsageError(`--list-devices is not an option of ${app.name} (npm run demo -- --list-devices)`);
  if (app.argument !== undefined && argument === undefined) throw new UsageError(`missing ${app.argument}`);
  return { args, argument };
}

async function run(app: App, args: DemoArgs, argument: string | undefined): Promise<void> {
  await using gpu = await Instance.create({ validation: args.validation });
  await using out: Presenter = await openPresenter(gpu, {
    prefer: args.backend ? [args.backend] : undefined,
    size: args.size,
    title: `scanout ${app.name}`,
    connector: args.connector,
    mode: args.mode,
    presentMode: args.presentMode,
    maxFps: args.maxFps,
  });
  const scene = await app.scene(out, args, argument);
  try {
    const outPath = args.out ?? (out.backend === "headless" ? `${app.name}.png` : undefined);
    const limit = args.frames === 0 && out.backend !== "headless" ? undefined : args.frames;
    let last: Promise<Pixels> | undefined;
    await out.run((frame) => {
      for (const ev of out.pollInput()) {
        if (ev.type === "key-down" && (ev.key === "Escape" || ev.key === "q")) return false;
        scene.input?.(ev);
      }
      scene.update(frame);
      frame.record((cmd) => scene.draw(cmd, frame));
      if (outPath && limit !== undefined && frame.index === limit - 1) last = frame.capture();
      return true;
    }, { limit });
    const s = out.stats;
    console.log(`backend: ${out.backend}, device: ${out.device.physical.name}, size: ${out.size[0]}x${out.size[1]}`);
    console.log(`frames: ${s.frames} in ${s.seconds.toFixed(3)} s, ${s.fps.toFixed(1)} frames/s`);
    if (last && outPath) {
      writePng(outPath, await last);
      console.log(`wrote ${outPath}`);
    }
  } finally {
    scene.destroy();
  }
  if (gpu.validationEnabled && gpu.validationErrors.length) throw new Error(`${gpu.validationErrors.length} validation errors (see above)`);
}

/** The demo's option lines that apply to an example (each option with its continuation lines). */
function demoOptions(name: string): string {
  const entries: string[][] = [];
  for (const line of USAGE.split("\n").slice(1)) {
    if (/^ {2}-/.test(line) || entries.length === 0) entries.push([line]);
    else entries[entries.length - 1]!.push(line);
  }
  const skip = /^ {2}--(scene|model|texture|up|trace|status|status-allow-remote|list-devices)\b/;
  return entries
    .filter((e) => !skip.test(e[0]!))
    .map((e) => e.join("\n").replace("demo.png", `${name}.png`))
    .join("\n");
}

/** Runs app with the process's arguments; resolves to the exit code (0, 1 for an error, 2 for bad usage). */
export async function main(app: App, argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const usage = `usage: ${app.name}${app.argument ? ` ${app.argument}` : ""} [options]\n${app.about}\n${demoOptions(app.name)}`;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(app, argv);
  } catch (error) {
    process.stderr.write(`${app.name}: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (parsed.args.help) {
    console.log(usage);
    return 0;
  }
  try {
    await run(app, parsed.args, parsed.argument);
    return 0;
  } catch (error) {
    process.stderr.write(`${app.name}: ${(error as Error).message}\n`);
    if (process.env.SCANOUT_LOG === "debug") process.stderr.write(`${(error as Error).stack}\n`);
    return 1;
  }
}
