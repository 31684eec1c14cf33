// The one nonblocking atomic commit a KMS output may have in flight, until its page-flip event: a
// frame's flip (with the target it puts on screen) or a side commit of the seat's (the cursor). A
// flip whose event does not come within the timeout fails with FlipTimeoutError (display off,
// unplugged, or an event the driver lost). One watchdog timer serves every flip (re-armed with
// refresh(), referenced only while a flip is in flight), and the handlers are made once, so a flip
// costs one promise here.
import type { FlipEvent } from "../drm/index.js";
import { FlipLog } from "../drm/index.js";
import { Listeners } from "../util/listeners.js";
import { FlipTimeoutError } from "./pacing-kms.js";
import type { KmsTarget } from "./kms-targets.js";

/** A flip that completed: its event, the target it put on screen (none for a side commit) and its frame. Reused: copy what you keep. */
export interface CompletedFlip {
  event: FlipEvent;
  target: KmsTarget | undefined;
  frame: number;
  /** The commit was a modeset: its event carries a time from before the new mode's vblanks. */
  modeset: boolean;
}

export class FlipTracker {
  /** Every completed flip, in order. */
  readonly completed = new Listeners<CompletedFlip>();
  /** The flip that failed or timed out (the display has failed). */
  readonly failed = new Listeners<Error>();
  /** The flip events seen (the last 500-1000). */
  readonly log = new FlipLog();
  private inFlight: Promise<void> | undefined;
  private resolve: (() => void) | undefined;
  private readonly done: CompletedFlip = { event: undefined as unknown as FlipEvent, target: undefined, frame: -1, modeset: false };
  private watchdog: NodeJS.Timeout | undefined;
  private readonly captureResolve = (resolve: () => void): void => {
    this.resolve = resolve;
  };

  constructor(
    private readonly connector: string,
    readonly timeoutMs: number,
  ) {}

  /** Settles once the flip in flight is done (undefined when none is): failures are reported through `failed`, never thrown here. */
  get pending(): Promise<void> | undefined {
    return this.inFlight;
  }

  /** Tracks a commit's flip; `target` is the frame's target (undefined for a side commit). */
  track(flip: Promise<FlipEvent>, target: KmsTarget | undefined, frame: number, modeset: boolean): void {
    this.done.target = target;
    this.done.frame = frame;
    this.done.modeset = modeset;
    this.inFlight = new Promise<void>(this.captureResolve);
    flip.then(this.onFlip, this.onFailed);
    if (this.watchdog) this.watchdog.ref().refresh();
    else this.watchdog = setTimeout(this.onTimeout, this.timeoutMs);
  }

  /** The event came (ignored when it comes after the flip timed out). */
  private readonly onFlip = (event: FlipEvent): void => {
    const resolve = this.settle();
    if (!resolve) return;
    this.log.add(event);
    this.done.event = event;
    try {
      this.completed.emit(this.done);
    } catch (error) {
      this.failed.emit(error as Error); // what followed the flip failed (a commit of the next frame)
    }
    resolve();
  };

  private readonly onFailed = (error: Error): void => {
    const resolve = this.settle();
    if (!resolve) return;
    this.failed.emit(error);
    resolve();
  };

  // refresh() restarts the timer for each flip, so when it fires with a flip in flight, that flip is late
  private readonly onTimeout = (): void => {
    if (this.resolve) this.onFailed(new FlipTimeoutError(this.connector, this.done.frame, this.timeoutMs));
  };

  /** Ends the flip in flight; returns how to settle `pending`, or undefined when none was in flight. */
  private settle(): (() => void) | undefined {
    const resolve = this.resolve;
    this.resolve = undefined;
    this.inFlight = undefined;
    this.watchdog?.unref(); // keeps ticking unreferenced; it finds no flip in flight when it fires
    return resolve;
  }

  /** Stops the watchdog (after the last flip). */
  close(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
  }
}
