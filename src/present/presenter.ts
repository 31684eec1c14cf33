// One Presenter interface for every way frames leave the GPU: headless (offscreen, PNG),
// Wayland (shm or dmabuf) and KMS. Backends implement the small SwapchainBackend; FrameLoop
// (frame-loop.ts) turns one into a Presenter with two frames in flight.
import type { CommandBuffer, Device, Fence, Format, Image, ImageLayout, ImageView, Semaphore } from "../vk/index.js";
import type { FrameTracer } from "../util/trace.js";
import type { Pacing, PacingStats, PresentMode } from "./pacing.js";
import type { InputEvent } from "../input/events.js";
import type { InputSource } from "../input/queue.js";
import type { ColourSpace, ColourState } from "../util/colour.js";
import type { DesktopWindow } from "../wayland/desktop-window.js";
import type { TargetTransform } from "../render/pre-rotation.js";

/** Where a presenter's frames go: offscreen images (read back to PNG on request), a Wayland window through shared memory or dmabuf, or a display through KMS. */
export type BackendName = "headless" | "wayland-shm" | "wayland-dmabuf" | "kms";

/** An image a frame renders into. Scenes cache framebuffers per target (keyed by `id`). */
export interface RenderTarget {
  readonly id: number;
  readonly image: Image;
  readonly view: ImageView;
  readonly width: number;
  readonly height: number;
  readonly format: Format;
  /** The layout the scene's render pass must leave the image in. */
  readonly finalLayout: ImageLayout;
  /**
   * How the image is turned from the way it will be seen (absent or 0: not at all). Only a presenter
   * opened with `preRotate` hands out turned targets: a scene multiplies clipTransform(transform)
   * into its clip-space positions and takes its aspect from orientedSize(target).
   */
  readonly transform?: TargetTransform;
}

/** What a scene needs to build its render pass and pipelines for a presenter. */
export interface TargetInfo {
  readonly device: Device;
  readonly format: Format;
  readonly finalLayout: ImageLayout;
  /** The targets' size in pixels [width, height] where known (every presenter knows it), so a scene can make size-bound parts, such as its depth buffer, while it loads. */
  readonly size?: readonly [number, number];
  /**
   * The colour frames are encoded for (absent: sRGB at 8 bits). Read it each frame: with "auto" it may
   * change when the compositor's preference does (the format stays). Scenes that encode colour
   * (shaders/colour.glsl) write its parameters into their uniforms.
   */
  readonly colour?: ColourState;
}

/** RGBA8 pixels, rows top to bottom, tightly packed. */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array;
  /**
   * Targets with more than 8 bits per channel (10-bit, FP16): the encoded values as RGBA16, 0..65535
   * (10-bit values scaled by 65535/1023; FP16 clamped to 0..1, so scRGB above 80 cd/m² clips), and
   * `data` holds their top 8 bits. writePng then writes a 16-bit PNG tagged with `colour`.
   */
  data16?: Uint16Array;
  /** The colour space the values are encoded in, for the PNG's cICP tag (absent: sRGB, untagged). */
  colour?: ColourSpace;
}

/** One frame of a presenter's frame loop: record the scene's commands into its target with record(), optionally capture() it; the loop submits and presents it when you ask for the next frame. */
export interface Frame {
  readonly index: number;
  /** Seconds since the first frame (a fixed step per frame for headless, wall clock otherwise). */
  readonly time: number;
  /** Which of the two in-flight slots this frame uses (scenes keep per-slot uniforms). */
  readonly slot: number;
  readonly target: RenderTarget;
  /** Records this frame's commands. Call exactly once per frame. */
  record(fn: (cmd: CommandBuffer) => void): void;
  /** Reads this frame back once the GPU has finished it (only frames asked for are copied). */
  capture(): Promise<Pixels>;
  /**
   * Asks for this frame to reach the screen at `ms` (performance.now() clock, e.g. predictedPresentMs
   * plus some refreshes), not earlier. Where the compositor offers wp_commit_timing_manager_v1 the
   * commit carries that time; elsewhere the frame goes at the next refresh as usual. Either way
   * FrameStats.pacing counts it (targeted, onTime: shown within half a refresh of the target).
   */
  presentAt(ms: number): void;
  /**
   * GPU time of the latest timed frame the GPU had finished when this one was handed out (timing every
   * frame, the frame two before, which used this slot; see FrameOptions.gpuTimeEvery): read back without waiting. Undefined before
   * the first such frame, or when the device's queue writes no timestamps. The object is reused:
   * copy what you keep.
   */
  readonly gpuTime: GpuTime | undefined;
  /**
   * When this frame is expected on screen, in ms on the performance.now() clock: the display's next
   * refresh after the frames queued ahead of it (from the last wp_presentation feedback or page flip
   * and the refresh interval). Animate by it for smooth motion. Headless: the time it was handed out.
   */
  readonly predictedPresentMs: number;
}

/** When the GPU ran one frame's commands, from timestamps written at the start and end of its command buffer. */
export interface GpuTime {
  /** The frame (Frame.index) these times belong to. */
  readonly frame: number;
  /** Start and end on the performance.now() clock, in ms (see GpuClock for how they are calibrated). */
  readonly startMs: number;
  readonly endMs: number;
  /** endMs - startMs. */
  readonly ms: number;
}

/** Options of Presenter.frames. */
export interface FrameOptions {
  /** Stop after this many frames (default: until the presenter closes). */
  limit?: number;
  /** Seconds per frame for Frame.time; default: headless 1/60 (reproducible), others wall clock. */
  fixedTimestep?: number;
  /** Freezes Frame.time at this many seconds: every frame shows the same instant (screenshots and tests compare like with like). */
  frozenTime?: number;
  /**
   * Records a frame timeline (write it with tracer.write(path)): the JS thread's steps, GPU time,
   * waits, the compositor's presentation or the page flip, and buffer release, linked per frame.
   */
  tracer?: FrameTracer;
  /**
   * Brackets one frame in this many with GPU timestamps (Frame.gpuTime, FrameStats.gpuMsPerFrame); 0 times
   * none. Default 1 (every frame) on a GPU or with a tracer; 16 on a CPU implementation such as lavapipe,
   * where each timestamp flushes the rasterizer and timing every frame halves small-frame throughput.
   */
  gpuTimeEvery?: number;
}

/** Figures of the running frame loop so far (computed when read), or of the last finished one: frame count, wall seconds, frames per second and CPU milliseconds per frame. */
export interface FrameStats {
  frames: number;
  seconds: number;
  fps: number;
  /** CPU time per frame of the whole process, driver threads included (as the C reference reports it). */
  cpuMsPerFrame: number;
  /** CPU time per frame of the JavaScript thread alone: the application's own overhead. */
  mainThreadCpuMsPerFrame: number;
  /**
   * Median GPU time per frame in ms (of the run's last 16384 timed frames), from timestamps at the start
   * and end of each timed frame's command buffer (FrameOptions.gpuTimeEvery); undefined when the device's queue writes no timestamps.
   */
  gpuMsPerFrame?: number;
  /** Backend-specific figures (release latency, presentation feedback, flips). */
  extra: Record<string, number | string>;
  /** Present mode in effect (and why, when not the one asked for), frames presented and dropped, the last presentation. */
  pacing?: PacingStats;
  /** The colour asked for, the one in effect ("hdr10 (bt2020, pq, 10-bit)") and why they differ. */
  colour?: ColourStats;
}

/** FrameStats.colour: what Presenter.colour says, as text. */
export interface ColourStats {
  requested: string;
  inEffect: string;
  /** Why the colour in effect is not the one asked for (undefined when it is). */
  reason?: string;
  /** Backend figures: image descriptions made, accepted (ready) and refused, preference changes followed. */
  descriptions?: Record<string, number | string>;
}

export interface Presenter extends TargetInfo, AsyncDisposable {
  readonly backend: BackendName;
  /** The colour frames are encoded for, asked for with OpenPresenterOptions.color (see TargetInfo.colour). */
  readonly colour: ColourState;
  readonly size: readonly [number, number];
  /**
   * The frame loop, for `for await (const frame of presenter.frames())`: each step submits and presents the previous frame,
   * then waits for a free slot and target. Ends at options.limit, on close(), or when the backend ends (see endReason); stats
   * are filled then. Throws when a loop is already running or the presenter is closed.
   */
  frames(options?: FrameOptions): AsyncIterableIterator<Frame>;
  /**
   * The same frame loop with a callback: `body` gets each frame and records it, as the body of
   * `for await (const frame of frames(options))` would, but a frame that is ready at once is
   * handed over without a promise or microtask (nothing allocated per frame). Resolves with the
   * run's stats when the loop ends. `body` returning false ends the run as `break` would (that frame
   * is dropped, not submitted); a throw in `body` ends the run and rejects with that error.
   */
  run(body: (frame: Frame) => void | boolean, options?: FrameOptions): Promise<FrameStats>;
  readonly stats: FrameStats;
  /** The present mode in effect (see FrameStats.pacing for the one asked for and why they differ). */
  readonly presentMode: PresentMode;
  /** Why the frame loop ended early (window closed, compositor gone), if it did. */
  readonly endReason: string | undefined;
  /**
   * Asks for a new size in pixels; the next frame's target has it (earlier frames keep theirs).
   * Throws on a backend that cannot choose its size (KMS: the mode decides).
   */
  resize(width: number, height: number): void;
  /**
   * Asks the compositor to show the window fullscreen (true) or as before (false); the next frames
   * follow the size it configures. Throws on a backend without a window (headless, KMS).
   */
  setFullscreen(on: boolean): void;
  /** Asks the compositor to maximize the window (true) or restore it (false). Throws on a backend without a window. */
  setMaximized(on: boolean): void;
  /**
   * Input events (keys, pointer, scroll, touch, devices) as an async iterator, for a task beside the
   * frame loop: `for await (const ev of presenter.input())`. Ends when the presenter closes. Headless:
   * no events. One iterator at a time; events read here are not returned by pollInput().
   */
  input(): AsyncIterableIterator<InputEvent>;
  /**
   * The input events that arrived since the last call, oldest first, without waiting: call it once
   * per frame inside `for await (const frame of presenter.frames())`. Returns a shared empty array
   * when there are none.
   */
  pollInput(): readonly InputEvent[];
  /**
   * The window's desktop services on the Wayland backends: clipboard and primary selection, pointer
   * lock and relative motion, text input, cursor, idle inhibit, activation, icon. Undefined on
   * headless and KMS.
   */
  readonly window: DesktopWindow | undefined;
  /**
   * Resolves true once frame `frame` (or a later one, which covers it) is reported on screen:
   * wp_presentation feedback on Wayland, the page-flip event on KMS. False after `timeoutMs`
   * (default 1000), on close(), or at once where nothing reports presentation (headless). For a
   * screenshot or measurement that must see the last frame of a run: `await presenter.shown(last)`.
   */
  shown(frame: number, timeoutMs?: number): Promise<boolean>;
  /** Ends a running frame loop, waits for the GPU and frees everything (the device too, if owned). */
  close(): Promise<void>;
}

/** What a backend provides; FrameLoop does slots, recording, submission, capture and stats. */
export interface SwapchainBackend {
  readonly name: BackendName;
  readonly device: Device;
  readonly format: Format;
  readonly finalLayout: ImageLayout;
  readonly size: readonly [number, number];
  /** The colour the targets are encoded for (absent: sRGB at 8 bits); read each frame. */
  readonly colour?: ColourState;
  /** Backend figures of its colour path (image descriptions), for FrameStats.colour. */
  colourStats?(): Record<string, number | string> | undefined;
  /** Frame `frame` is being handed out (its target acquired): a colour switch waiting for a frame boundary takes effect. */
  handingOut?(frame: number): void;
  /** Default for FrameOptions.fixedTimestep (undefined: wall clock). */
  readonly defaultTimestep?: number;
  /** Set when the backend can take no more frames (window closed, display lost), with the reason. */
  readonly endReason?: string;
  /**
   * Signalled by every frame's own submission when set (read once, when the FrameLoop is made):
   * a backend exports it as a sync file for implicit sync, with no extra submit.
   */
  readonly renderFinished?: Semaphore;
  /** A target nobody (GPU, compositor, display) uses any more, for frame number `frame` (its waits are traced as that frame's). May wait (a promise, not a spin). */
  acquire(frame: number): Promise<RenderTarget> | RenderTarget;
  /** Commands after the scene's, in the same command buffer (e.g. a copy into an shm buffer). */
  recordAfter?(cmd: CommandBuffer, target: RenderTarget): void;
  /**
   * Called right after submission; `rendered` signals when the GPU is done with the frame. `last`:
   * the run's limit ends it with this frame (a backend that defers presentation presents it now).
   * `presentAtMs`: the frame's target time (Frame.presentAt; NaN: none).
   */
  present(target: RenderTarget, rendered: Fence, frameIndex: number, last?: boolean, presentAtMs?: number): Promise<void> | void;
  /**
   * The run has ended (after its fences signalled): a backend that defers a frame's presentation
   * until the next submission presents what is left if it can without waiting, else drops it.
   */
  endRun?(): void;
  /** Targets of a new size from the next acquire on (absent: the backend cannot resize). */
  resize?(width: number, height: number): void;
  /** Asks for fullscreen or back (absent: the backend has no window). */
  setFullscreen?(on: boolean): void;
  /** Asks for maximized or back (absent: the backend has no window). */
  setMaximized?(on: boolean): void;
  /** Backend figures for FrameStats.extra. */
  stats?(): Record<string, number | string>;
  /** The backend's present mode and presentation records (absent: fifo, nothing recorded). */
  readonly pacing?: Pacing;
  /** When a frame handed out at `nowMs` should reach the screen (default: pacing.predict(nowMs), else nowMs). */
  predictPresentMs?(nowMs: number): number;
  /**
   * A Wayland backend's window: the frame loop hands it the run's tracer, and it records frame
   * callbacks, presentation feedback and buffer releases (see WaylandWindow.traceTo).
   */
  readonly window?: TimelineSource;
  /** Records the backend's own events (KMS: page flips) into the run's tracer; undefined stops. */
  traceTo?(tracer: FrameTracer | undefined): void;
  /** A Wayland backend's desktop services (Presenter.window). */
  readonly desktop?: DesktopWindow;
  /** The backend's input (Wayland: the seat; KMS: libinput); absent: no input (headless). Closed by the frame loop on close(). */
  readonly input?: InputSource;
  /** Waits for outstanding work and frees everything (the device stays). */
  destroy(): Promise<void> | void;
}

/** Something that records its events into a frame loop's tracer once given one. */
export interface TimelineSource {
  /** Sends this source's events to tracer from now on (none with undefined); the frame loop calls it as each run starts, with that run's FrameOptions.tracer. */
  traceTo(tracer: FrameTracer | undefined): void;
}
