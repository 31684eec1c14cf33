// How a window's frames reach the compositor: attach, damage, a frame callback (unless the caller
// paces by other means: fifo-v1 barriers and presentation feedback) and wp_presentation feedback per commit, and the record of both in a frame tracer when one is set (traceTo). The first
// failed frame callback is kept, so the frame loop can throw it (throwIfFailed).
import type { FrameTracer } from "../util/trace.js";
import type { Connection } from "./connection.js";
import type { Globals } from "./globals.js";
import { PresentationFeedback } from "./presentation-feedback.js";
import { type WlBuffer, WlSurface } from "./protocol/wayland.js";

/** Commits one surface's frames and collects what the compositor says about them. */
export class SurfaceFrames {
  /** wp_presentation feedback of the commits, and the presentation clock (commit-timing targets). */
  readonly feedback: PresentationFeedback;
  private tracerValue: FrameTracer | undefined;
  /** The first failure of a frame callback (the connection failed, a handler threw). */
  private failure: Error | undefined;

  constructor(
    private readonly connection: Connection,
    globals: Globals,
    private readonly surface: WlSurface,
  ) {
    this.feedback = new PresentationFeedback(globals);
  }

  /**
   * Attaches `buffer`, damages all of its `width`x`height` pixels, asks for a frame callback (and
   * presentation feedback, labelled `frame`) and commits. Resolves with the frame callback time (ms).
   */
  present(buffer: WlBuffer, frame: number, width: number, height: number): Promise<number> {
    this.attach(buffer, width, height);
    const done = this.connection.callbackDone(this.surface.frame());
    done.catch((e: Error) => (this.failure ??= e));
    const tracer = this.tracerValue;
    if (tracer) done.then((time) => tracer.point("frame callback", frame, performance.now(), time), () => {});
    this.feedback.track(this.surface, frame);
    this.surface.commit();
    return done;
  }

  /** present() without the frame callback: for commits paced by other means (fifo-v1 barriers, one callback a refresh in mailbox). */
  commitWithoutCallback(buffer: WlBuffer, frame: number, width: number, height: number): void {
    this.attach(buffer, width, height);
    this.feedback.track(this.surface, frame);
    this.surface.commit();
  }

  private attach(buffer: WlBuffer, width: number, height: number): void {
    const surface = this.surface;
    surface.attach(buffer, 0, 0);
    if (surface.version >= WlSurface.since.damage_buffer) surface.damage_buffer(0, 0, width, height);
    else surface.damage(0, 0, width, height); // surface coordinates = buffer's at scale 1
  }

  /** Throws why no more frames can be presented: the connection failed, or a frame callback did. */
  throwIfFailed(): void {
    const e = this.connection.error ?? this.failure;
    if (e) throw e;
  }

  get tracer(): FrameTracer | undefined {
    return this.tracerValue;
  }

  /** Records frame callbacks and presentation feedback into `tracer`; undefined stops. */
  traceTo(tracer: FrameTracer | undefined): void {
    this.tracerValue = tracer;
    this.feedback.tracer = tracer;
  }
}
