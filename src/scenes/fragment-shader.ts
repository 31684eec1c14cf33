// A full-screen fragment shader from GLSL, compiled at run time, with a push-constant block
// { float time; vec2 resolution; vec2 mouse; } at offsets 0, 8, 16 (the Shadertoy way of
// working), reloaded when its file changes. An edit that does not compile leaves the last good
// pipeline drawing: the error, naming the file and line, goes to options.onReload.
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import {
  Pipeline,
  PipelineLayout,
  RenderPass,
  Scope,
  ScopedScene,
  ShaderError,
  ShaderModule,
  ShaderStage,
  TargetFramebuffers,
  type CommandBuffer,
  type Device,
  type Frame,
  type Scene,
  type TargetInfo,
} from "../index.js";
import type { InputEvent } from "../input/index.js";

/** The push-constant block every fragment shader of FragmentShader may declare, with its offsets. */
export const FRAGMENT_SHADER_PUSH_CONSTANTS = "layout(push_constant) uniform Inputs { float time; vec2 resolution; vec2 mouse; } inputs; // offsets 0, 8, 16";

/** What a reload came to: the new shader is drawing, or it did not compile (or could not be read) and the last good one still is. */
export type ReloadResult = { ok: true; file: string } | { ok: false; file: string; error: Error };

/** Options of FragmentShader.create. */
export interface FragmentShaderOptions {
  /** The GLSL fragment shader (#version 450, output at location 0). */
  file: string;
  /** Recompile when the file changes (default false). */
  watch?: boolean;
  /** Told of every reload after the first compilation, good or not. */
  onReload?: (result: ReloadResult) => void;
}

/** Draws one GLSL fragment shader over the whole target, feeding it time, resolution and the mouse position through push constants. */
export class FragmentShader extends ScopedScene implements Scene {
  /** The pointer position in target pixels (origin top left, as gl_FragCoord in Vulkan); set it, or pass pointer events to input(). */
  readonly mouse: [number, number] = [0, 0];
  private readonly push = new Float32Array(6);
  private next: Pipeline | undefined;
  private watcher: FSWatcher | undefined;
  private lastSource: string;
  private reloading: Promise<ReloadResult> | undefined;

  private constructor(
    device: Device,
    scope: Scope,
    private readonly parts: { renderPass: RenderPass; layout: PipelineLayout; vertex: ShaderModule; framebuffers: TargetFramebuffers },
    private pipeline: Pipeline,
    source: string,
    readonly file: string,
    private readonly onReload: ((result: ReloadResult) => void) | undefined,
  ) {
    super(device, scope);
    this.lastSource = source;
  }

  /** Compiles options.file and builds its pipeline for out. Rejects with GlslCompileError (file:line) when it does not compile, ShaderError when it cannot be read. */
  static async create(out: TargetInfo, options: FragmentShaderOptions): Promise<FragmentShader> {
    const { device } = out;
    const file = resolve(options.file);
    const source = await readSource(file);
    const fragment = await ShaderModule.fromGlsl(device, { source, stage: "fragment", file: options.file });
    try {
      const scene = Scope.build("fragment shader", (scope) => {
        const renderPass = RenderPass.create(device, { color: { format: out.format, finalLayout: out.finalLayout }, scope });
        const layout = PipelineLayout.create(device, { pushConstants: [{ stages: ShaderStage.fragment, size: 24 }], scope });
        const vertex = ShaderModule.load(device, "fullscreen.vert.spv", { scope });
        const framebuffers = TargetFramebuffers.create(device, { renderPass, scope });
        const parts = { renderPass, layout, vertex, framebuffers };
        const pipeline = Pipeline.create(device, { renderPass, layout, vertex, fragment });
        return new FragmentShader(device, scope, parts, pipeline, source, options.file, options.onReload);
      });
      if (options.watch) scene.watch(file);
      return scene;
    } finally {
      fragment.destroy();
    }
  }

  /**
   * Compiles the file again (what watching does on a change). On success its pipeline draws from the next frame on; on
   * failure the last good one goes on drawing. Resolves to the result, also passed to options.onReload.
   */
  reload(): Promise<ReloadResult> {
    // one compilation at a time; a change during it is read by the next one
    const run = async (): Promise<ReloadResult> => {
      let result: ReloadResult;
      try {
        const source = await readSource(resolve(this.file));
        if (source === this.lastSource && this.next === undefined) return { ok: true, file: this.file };
        const fragment = await ShaderModule.fromGlsl(this.device, { source, stage: "fragment", file: this.file });
        try {
          const { renderPass, layout, vertex } = this.parts;
          const pipeline = Pipeline.create(this.device, { renderPass, layout, vertex, fragment });
          if (this.next) this.device.retire(this.next);
          this.next = pipeline;
          this.lastSource = source;
        } finally {
          fragment.destroy();
        }
        result = { ok: true, file: this.file };
      } catch (error) {
        result = { ok: false, file: this.file, error: error as Error };
      }
      this.onReload?.(result);
      return result;
    };
    const previous = this.reloading ?? Promise.resolve(undefined);
    const mine = previous.then(run);
    this.reloading = mine;
    return mine;
  }

  private watch(file: string): void {
    // The folder is watched, not the file: editors that save by renaming a new file over the old
    // one would end a watch on the file itself after the first save.
    const name = basename(file);
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(dirname(file), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload(), 30); // one reload for an editor's burst of writes
    });
    this.watcher.unref();
  }

  /** Follows the pointer: pointer events set mouse to their position in target pixels. */
  input(event: InputEvent): void {
    if (event.type === "pointer-motion" || event.type === "pointer-enter" || event.type === "button-down") {
      this.mouse[0] = event.bufferX;
      this.mouse[1] = event.bufferY;
    }
  }

  /** Fills the push constants: frame.time, the target's size and the mouse position. */
  update(frame: Frame): void {
    const p = this.push;
    p[0] = frame.time;
    p[2] = frame.target.width;
    p[3] = frame.target.height;
    p[4] = this.mouse[0];
    p[5] = this.mouse[1];
  }

  /** Draws the shader over frame.target (switching to a freshly reloaded pipeline first). */
  draw(cmd: CommandBuffer, frame: Frame): void {
    if (this.next) {
      // the frames recorded with the old pipeline have all been submitted by now
      this.device.retire(this.pipeline);
      this.pipeline = this.next;
      this.next = undefined;
    }
    const { renderPass, layout, framebuffers } = this.parts;
    const { target } = frame;
    cmd.beginRenderPass(renderPass, framebuffers.get(target));
    cmd.setViewportAndScissor(target.width, target.height);
    cmd.bindPipeline(this.pipeline);
    cmd.pushConstants(layout, ShaderStage.fragment, this.push.buffer as ArrayBuffer);
    cmd.draw(3);
    cmd.endRenderPass();
  }

  /** Stops watching and frees everything once the GPU has finished the frames submitted so far. */
  override destroy(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.next) this.device.retire(this.next);
    this.next = undefined;
    this.device.retire(this.pipeline);
    super.destroy();
  }
}

async function readSource(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new ShaderError(file, `cannot read GLSL (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
