// One output of a presenter over several (kms-multi.ts): its CRTC, the viewport of the shared image
// it shows, and its own page flips. Each head commits on its own (a nonblocking atomic commit of its
// plane alone, paced by its own flip events), so outputs of different refresh rates never wait for
// each other: after each flip a head shows the newest finished frame if it is not showing it yet.
// A head whose display was unplugged pauses: its last flip lands, its CRTC is switched off (the
// images it showed are free again), and a full modeset lights it again when the display is back.
import {
  addModeset, AtomicError, AtomicRequest, describeMode, modeRefresh, viewportPlane, type DrmDevice, type FlipEvent, type Output,
  type PropertyValues, type QuarterTurn, type Viewport,
} from "../drm/index.js";
import { logger } from "../util/log.js";
import { flipTimeoutMs } from "./pacing-kms.js";
import { FlipTracker, type CompletedFlip } from "./kms-flips.js";
import type { KmsTarget } from "./kms-targets.js";
import { rotationName } from "./kms-rotation.js";

const log = logger("present");

/** How long a commit refused with EBUSY (the CRTC's previous nonblocking commit not done yet) is retried. */
const BUSY_RETRY_MS = 2;
const BUSY_GIVE_UP_MS = 2000;

/** What a head needs from its presenter. */
export interface HeadHost {
  /** The device the head commits on (DRM master). */
  readonly drm: DrmDevice;
  /** The newest finished frame and its number (undefined before the first). */
  latest(): { target: KmsTarget; frame: number } | undefined;
  /** A flip of `head` completed (its onScreen is updated). */
  flipped(head: OutputHead, flip: CompletedFlip): void;
  /** A commit or flip of `head` failed. */
  failed(head: OutputHead, error: Error): void;
  /** The head stopped referencing images (switched off while paused). */
  released(): void;
  /** Adds what rides along with each commit of `head` (the cursor plane's change; a modeset's connector colour); returns what to call after it: with true when the kernel took the commit (a refused one, EBUSY, leaves the change for the retry). */
  addToCommit?(head: OutputHead, req: AtomicRequest, modeset: boolean): ((committed: boolean) => void) | void;
  /** Adds what goes off with `head` when it is switched off (its cursor plane). */
  switchingOff?(head: OutputHead, req: AtomicRequest): void;
}

export { rotationName } from "./kms-rotation.js";

/** One output of a KmsMultiBackend: its path, viewport and turn, its own flips, and what it shows. */
export class OutputHead {
  /** "paused": the display went away; nothing is committed until resume(). */
  state: "active" | "paused" = "active";
  /** The image on screen and the one committed and waiting for its flip. */
  onScreen: KmsTarget | undefined;
  queued: KmsTarget | undefined;
  /** @internal This output's commit in flight and its flip log (flips.log: a FlipLog). */
  readonly flips: FlipTracker;
  /** The mode's refresh rate in Hz. */
  readonly refresh: number;
  /** Frames this head committed. */
  committed = 0;
  /** Modesets: the first, and one per return of the display. */
  modesets = 0;
  /** Times the display went away. */
  pauses = 0;
  private modeset = true;
  private retry: NodeJS.Timeout | undefined;
  /** Side commits (the cursor's) the kernel refused with EBUSY: the CRTC's last commit was still being done. */
  sideRefusals = 0;
  private busySince = 0;
  private closed = false;

  constructor(
    private readonly host: HeadHost,
    /** The output's path; its connector is replaced by resume() with what the probe read. */
    public output: Output,
    /** The part of the shared image this output shows. */
    readonly viewport: Viewport,
    /** How far the picture is turned on this output. */
    readonly turn: QuarterTurn,
    /** The plane turns the picture by its "rotation" property (else the image is rendered turned, or not turned). */
    readonly planeTurns: boolean,
    flipTimeout: number | undefined,
  ) {
    this.refresh = modeRefresh(output.mode);
    this.flips = new FlipTracker(output.connector.name, flipTimeoutMs(this.refresh, flipTimeout));
    this.flips.completed.add((flip) => this.onFlip(flip));
    this.flips.failed.add((e) => this.host.failed(this, e));
  }

  /** The connector's name, e.g. Virtual-2. */
  get name(): string {
    return this.output.connector.name;
  }

  /** A commit of this head waits for its flip, or for an EBUSY retry. */
  get busy(): boolean {
    return this.flips.pending !== undefined || this.retry !== undefined;
  }

  /** Shows the newest frame when the head is active, idle and not showing it yet (a modeset the first time). */
  update(): void {
    if (this.closed || this.state !== "active" || this.busy) return;
    const latest = this.host.latest();
    if (!latest || (latest.target === this.onScreen && !this.modeset)) return;
    this.commit(latest.target, latest.frame);
  }

  private commit(t: KmsTarget, frame: number): void {
    const { drm } = this.host;
    const req = new AtomicRequest(drm);
    const modeset = this.modeset;
    // the frame's render-finished sync file: the kernel waits for it (each commit takes its own reference)
    const fence: PropertyValues<"plane"> = t.inFence >= 0 ? { IN_FENCE_FD: t.inFence } : {};
    let flip: Promise<FlipEvent>;
    let after: ((committed: boolean) => void) | void = undefined;
    let committed = false;
    try {
      after = this.host.addToCommit?.(this, req, modeset);
      if (modeset) {
        const plane: PropertyValues<"plane"> = {
          ...viewportPlane(this.output, t.fb, this.viewport, this.planeTurns ? this.turn : 0),
          ...(this.planeTurns ? { rotation: [rotationName(this.turn)] } : {}),
          ...fence,
        };
        const blob = drm.createModeBlob(this.output.mode);
        try {
          flip = addModeset(req, this.output, blob, plane).commit({ allowModeset: true, nonblock: true, pageFlipEvent: true }).flip;
        } finally {
          drm.destroyBlob(blob); // the committed CRTC state holds its own reference
        }
      } else {
        flip = req.plane(this.output.plane.id, { FB_ID: t.fb, ...fence }).commit({ nonblock: true, pageFlipEvent: true, preflight: false }).flip;
      }
      committed = true;
    } catch (e) {
      if (this.busyAgain(e, () => this.update())) return;
      this.host.failed(this, e as Error);
      return;
    } finally {
      after?.(committed); // blobs the commit took its own references to; the cursor's change is done only if committed
    }
    this.busySince = 0;
    if (modeset) {
      this.modesets++;
      log.info(`kms: ${this.name} ${describeMode(this.output.mode)} on crtc ${this.output.crtc}, viewport ${this.viewport.width}x${this.viewport.height}+${this.viewport.x}+${this.viewport.y}` +
        (this.turn ? `, turned ${this.turn}° ${this.planeTurns ? "by the plane" : "(rendered turned)"}` : ""));
    }
    this.modeset = false;
    this.queued = t;
    this.committed++;
    this.flips.track(flip, t, frame, modeset);
  }

  /**
   * A commit of the seat's own on this output (its cursor plane), when the output is lit and idle; it
   * occupies the output like a frame until its flip. False when it cannot now (its next flip retries).
   */
  commitSide(add: (req: AtomicRequest) => (() => void) | void): boolean {
    if (this.closed || this.state !== "active" || this.busy || this.modeset) return false;
    const req = new AtomicRequest(this.host.drm);
    const committed = add(req);
    let flip: Promise<FlipEvent> | undefined;
    try {
      flip = req.commit({ nonblock: true, pageFlipEvent: true, preflight: false }).flip;
    } catch (e) {
      if (!(e instanceof AtomicError && e.code === "EBUSY")) throw e;
      this.sideRefusals++;
      return false; // the change stays pending: the caller tries again
    }
    committed?.();
    this.flips.track(flip!, undefined, -1, false);
    return true;
  }

  /** EBUSY: the CRTC's last nonblocking commit is not done; runs `again` shortly (true), or false for another error or after 2 s. */
  private busyAgain(e: unknown, again: () => void): boolean {
    if (!(e instanceof AtomicError && e.code === "EBUSY")) return false;
    const now = performance.now();
    if (this.busySince === 0) this.busySince = now;
    if (now - this.busySince > BUSY_GIVE_UP_MS) return false;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      again();
    }, BUSY_RETRY_MS);
    return true;
  }

  private onFlip(flip: CompletedFlip): void {
    if (flip.target) {
      this.onScreen = flip.target;
      this.queued = undefined;
    }
    this.host.flipped(this, flip);
    if (this.state === "paused" && !this.busy) this.switchOff();
  }

  /** The display went away: no more commits; once the flip in flight lands, the CRTC is switched off and its images are free. */
  pause(): void {
    if (this.state === "paused") return;
    this.state = "paused";
    this.pauses++;
    log.info(`kms: ${this.name} went away: paused`);
    if (!this.busy) this.switchOff();
  }

  private switchOff(): void {
    if (this.closed || this.state !== "paused" || this.modeset) return;
    const { connector, crtc, plane } = this.output;
    try {
      const req = new AtomicRequest(this.host.drm)
        .connector(connector.id, { CRTC_ID: undefined })
        .crtc(crtc, { ACTIVE: false, MODE_ID: undefined })
        .plane(plane.id, { FB_ID: undefined, CRTC_ID: undefined });
      this.host.switchingOff?.(this, req);
      req.commit({ allowModeset: true, nonblock: true });
    } catch (e) {
      if (this.busyAgain(e, () => this.switchOff())) return;
      log.warn(`kms: switching ${this.name} off: ${e instanceof Error ? e.message : e}`);
    }
    this.busySince = 0;
    this.modeset = true; // lit again by a full modeset
    this.onScreen = undefined;
    this.queued = undefined;
    this.host.released();
  }

  /** The display is back (`output`: the path with the connector as probed now): a modeset shows the newest frame. */
  resume(output: Output): void {
    this.output = output;
    if (this.state === "active") return;
    this.state = "active";
    this.modeset = true;
    log.info(`kms: ${this.name} is back: modeset`);
    this.update();
  }

  /** The console changed the display meanwhile (a VT switch): the next frame is a full modeset. */
  relight(): void {
    this.modeset = true;
  }

  /** Stops retries and the flip watchdog (after the last flip landed). */
  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.flips.close();
  }

  /** This output's figures: mode, state, frames committed, modesets, pauses, missed vblanks, flips per second. */
  stats(): Record<string, number | string> {
    const rate = this.flips.log.flipsPerSecond;
    return {
      mode: describeMode(this.output.mode),
      state: this.state,
      committed: this.committed,
      modesets: this.modesets,
      pauses: this.pauses,
      missedVblanks: this.flips.log.missedVblanks,
      ...(rate !== undefined ? { flipsPerSecond: Number(rate.toFixed(2)) } : {}),
    };
  }
}
