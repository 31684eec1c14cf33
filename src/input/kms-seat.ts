// What the KMS presenter adds for interactive apps: input through libinput (kms-input.ts) and the
// pointer on the cursor plane. VT switching is the display session's (drm/kms-session.ts): the seat
// listens to it (switched away: input devices close, the cursor is forgotten; back: they reopen) and
// asks it for a switch on Ctrl+Alt+Fn.
import { CursorPlane } from "../drm/cursor-plane.js";
import type { AtomicRequest } from "../drm/atomic.js";
import type { DrmDevice } from "../drm/device.js";
import type { KmsSession } from "../drm/kms-session.js";
import type { Output } from "../drm/output.js";
import { logger } from "../util/log.js";
import { KmsInput, type KmsInputOptions } from "./kms-input.js";
import type { InputSource } from "./queue.js";

const log = logger("present"); // LogSource has no "input" yet

/** What the KMS presenter lends its seat. */
export interface KmsSeatHost {
  readonly drm: DrmDevice;
  readonly output: Output;
  /** The display session: the seat follows its switches and asks it for Ctrl+Alt+Fn ones. */
  readonly session: KmsSession;
  /**
   * Commits what `add` puts in a request on its own, paced like a page flip (the next frame waits for
   * it). False when it cannot now (a flip is pending, a modeset is due, the display is gone): the
   * presenter's next commit calls addToCommit instead; also false when the kernel says EBUSY (the
   * CRTC's last commit is still being done). What `add` returns is called once the commit went through.
   */
  commitSide(add: (req: AtomicRequest) => (() => void) | void, preflight: boolean): boolean;
}

/** Options of the KMS presenter's seat (KmsOptions.input): false turns input, cursor and the VT keys off. */
export type KmsSeatOptions = boolean | (KmsInputOptions & {
  /** Draw the pointer on the CRTC's cursor plane, where it has one (default true). */
  cursor?: boolean;
});

/**
 * The KMS presenter's input and cursor. Made by KmsSeat.open; the presenter calls addToCommit in each
 * commit, afterFlip after each flip, and close() after restoring the display.
 */
export class KmsSeat {
  /** The input events (SwapchainBackend.input); undefined when input could not start (logged). */
  readonly input: InputSource | undefined;
  /** libinput and its devices, when input started. */
  readonly kmsInput: KmsInput | undefined;
  /** The cursor plane, when the CRTC has one and input started. */
  readonly cursor: CursorPlane | undefined;
  /** off: not on screen (none yet, no pointing device, or lost in a VT switch); failed: the driver refused it. */
  private cursorState: "off" | "shown" | "failed" = "off";
  private closed = false;
  private moveTimer: NodeJS.Timeout | undefined;
  /** Removes the seat's listeners from the session. */
  private readonly unlisten: (() => void)[];

  private constructor(
    private readonly host: KmsSeatHost,
    options: Exclude<KmsSeatOptions, boolean> | undefined,
  ) {
    const { hdisplay: w, vdisplay: h } = host.output.mode;
    let input: KmsInput | undefined;
    if (options) {
      try {
        input = new KmsInput([w, h], {
          pointerMoved: (x, y) => this.pointerMoved(x, y),
          vtSwitch: (n) => host.session.switchTo(n),
          pointerPresent: () => this.syncCursor(),
        }, options);
      } catch (e) {
        log.warn(`kms: no input (${e instanceof Error ? e.message : e})`);
      }
    }
    this.kmsInput = input;
    this.input = input?.queue;
    if (input && options?.cursor !== false) {
      try {
        this.cursor = CursorPlane.find(host.drm, host.output);
        this.cursor?.move(...input.pointer);
      } catch (e) {
        log.warn(`kms: no cursor (${e instanceof Error ? e.message : e})`);
      }
    }
    if (input) {
      // we read the keyboard ourselves: the console must not also act on it (typing, Ctrl+Alt+Fn)
      try {
        host.session.muteKeyboard();
      } catch (e) {
        log.warn(`kms: cannot turn the console keyboard off: ${e instanceof Error ? e.message : e}`);
      }
    }
    this.unlisten = [host.session.leaving.add(() => this.leaving()), host.session.returned.add(() => this.returned())];
  }

  /** The seat for a KMS presenter; `options` false: no input and no cursor. */
  static open(host: KmsSeatHost, options: KmsSeatOptions = true): KmsSeat {
    return new KmsSeat(host, options === true ? {} : options === false ? undefined : options);
  }

  /** Whether another VT is shown (the presenter must not commit): the session's, see KmsSession.suspended. */
  get suspended(): boolean {
    return this.host.session.suspended;
  }

  /** undefined on our VT, else resolves when we are switched back: the session's, see KmsSession.whileAway. */
  whileAway(): Promise<void> | undefined {
    return this.host.session.whileAway();
  }

  /**
   * Adds the cursor's move to one of the presenter's commits; returns what the presenter calls once
   * that commit went through (a refused commit leaves the move pending for the next one).
   */
  addToCommit(req: AtomicRequest): (() => void) | undefined {
    if (this.cursor && this.cursorState === "shown" && this.cursor.pending) return this.cursor.moveInto(req);
    return undefined;
  }

  /** After each flip: shows the cursor the first time (and after a VT switch), hides it without a pointing device, or schedules a move no frame has carried. */
  afterFlip(): void {
    this.syncCursor();
  }

  /** Brings the cursor plane in line with the pointer: shown while a pointing device exists, else off. */
  private syncCursor(): void {
    const c = this.cursor;
    if (!c || this.closed || this.suspended || this.cursorState === "failed") return;
    const want = this.kmsInput?.hasPointer ?? false;
    try {
      // commitSide says false while a frame is in flight or the first modeset is due: the next flip retries
      if (want && this.cursorState === "off") {
        if (this.host.commitSide((req) => c.enableInto(req), true)) this.cursorState = "shown";
      } else if (!want && this.cursorState === "shown") {
        if (this.host.commitSide((req) => c.disableInto(req), false)) {
          this.cursorState = "off";
          c.forget();
        }
      } else if (want && this.cursorState === "shown" && c.pending) {
        this.scheduleMove();
      }
    } catch (e) {
      this.cursorState = "failed";
      log.warn(`kms: the cursor plane cannot be used, the pointer is not drawn: ${e instanceof Error ? e.message : e}`);
    }
  }

  private pointerMoved(x: number, y: number): void {
    const c = this.cursor;
    if (!c || !c.move(x, y) || this.cursorState !== "shown" || this.suspended) return;
    this.scheduleMove();
  }

  /**
   * A move goes out with the next frame's commit; only when no frame has carried it within about a
   * refresh (the app is not drawing) does it get a commit of its own. So a drawing app's frames are
   * never delayed by cursor commits, and an idle app's cursor still follows the mouse.
   */
  private scheduleMove(): void {
    if (this.moveTimer) return;
    const refresh = modeRefreshMs(this.host.output.mode.vrefresh);
    this.moveTimer = setTimeout(() => {
      this.moveTimer = undefined;
      if (this.cursor?.pending && this.cursorState === "shown" && !this.suspended && !this.closed) this.commitMove();
    }, refresh);
    this.moveTimer.unref();
  }

  private commitMove(): void {
    const c = this.cursor!;
    try {
      // false: a flip is due (its afterFlip schedules the move again) or EBUSY: try again after a refresh
      if (!this.host.commitSide((req) => c.moveInto(req), false)) this.scheduleMove();
    } catch (e) {
      this.cursorState = "failed";
      log.warn(`kms: moving the cursor failed; the pointer is no longer drawn: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Switching away: close the input devices (keys typed on the other VT are not ours). */
  private leaving(): void {
    this.kmsInput?.suspend();
  }

  /** Back: the devices reopen; the console's modeset turned the cursor plane off, so the next flip shows it again. */
  private returned(): void {
    if (this.cursorState === "shown") this.cursorState = "off";
    this.cursor?.forget();
    this.kmsInput?.resume();
  }

  /** Closes input and frees the cursor image; call after the display's state was restored. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.moveTimer) clearTimeout(this.moveTimer);
    for (const off of this.unlisten) off();
    this.kmsInput?.close();
    this.cursor?.destroy();
  }
}

/** A little over one refresh interval in ms (17 at 60 Hz; 60 Hz when the mode does not say). */
function modeRefreshMs(vrefresh: number): number {
  return Math.ceil(1000 / (vrefresh > 0 ? vrefresh : 60)) + 1;
}
