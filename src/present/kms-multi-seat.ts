// Input and the pointer for the presenter over several outputs (kms-multi.ts), as the one-output
// presenter has them (input/kms-seat.ts): one libinput seat whose pointer moves over the whole
// picture as seen (extend: the outputs side by side; clone: the one image), keys through xkb,
// Ctrl+Alt+Fn through the display session. Each output's CRTC has its own cursor plane: the arrow is
// shown on the output under the pointer (extend) or on every output (clone), and an output's cursor
// change rides along with that output's next commit, or gets a commit of its own on that output when
// no frame carries it within about a refresh (the app is not drawing). With rotate, the arrow is drawn
// turned as the picture is, so it looks upright to whoever sees the picture upright; a mouse moves it
// in the picture as seen (as compositors do), touch and tablets are turned back from the panel.
import {
  CursorPlane, turnRect, type AtomicRequest, type DrmDevice, type KmsSession, type PlaneId, type QuarterTurn, type Viewport,
} from "../drm/index.js";
import { KmsInput } from "../input/kms-input.js";
import type { KmsSeatOptions } from "../input/kms-seat.js";
import type { InputSource } from "../input/queue.js";
import { logger } from "../util/log.js";
import type { OutputHead } from "./kms-head.js";
import type { TurnPlan } from "./kms-rotation.js";

const log = logger("present");

/**
 * Where pointer (px, py), in the picture as seen, lies on the display of the output whose view of
 * the picture is `vp` turned by `turn` on a mode `mode`: mode pixels, or undefined when the pointer is
 * not on that output. The view is centred where it is smaller than the mode (clone on a larger mode).
 */
export function pointerOnOutput(
  px: number, py: number, vp: Viewport, turn: QuarterTurn, mode: { hdisplay: number; vdisplay: number },
): [number, number] | undefined {
  if (px < vp.x || px >= vp.x + vp.width || py < vp.y || py >= vp.y + vp.height) return undefined;
  const at = turnRect({ x: Math.floor(px) - vp.x, y: Math.floor(py) - vp.y, width: 1, height: 1 }, vp.width, vp.height, turn);
  const odd = turn === 90 || turn === 270;
  const ox = Math.max(0, Math.floor((mode.hdisplay - (odd ? vp.height : vp.width)) / 2));
  const oy = Math.max(0, Math.floor((mode.vdisplay - (odd ? vp.width : vp.height)) / 2));
  return [at.x + ox, at.y + oy];
}

/** What the presenter over several outputs lends its seat. */
export interface MultiSeatHost {
  readonly drm: DrmDevice;
  readonly session: KmsSession;
  readonly heads: readonly OutputHead[];
  /** Where each output's view lies in the picture as seen (the pointer's space), and its turn. */
  readonly turning: TurnPlan;
}

type CursorState = "off" | "shown" | "failed";

/** The seat of a KmsMultiBackend: made by open(); each head calls addToCommit in its commits and afterFlip after its flips. */
export class KmsMultiSeat {
  /** The input events (SwapchainBackend.input); undefined when input is off or could not start (logged). */
  readonly input: InputSource | undefined;
  readonly kmsInput: KmsInput | undefined;
  /** Per output (in the heads' order): its CRTC's cursor plane, where it has one and input started. */
  readonly cursors: (CursorPlane | undefined)[];
  private readonly states: CursorState[];
  /** Per output: whether the pointer is on it (the arrow should show there). */
  private readonly wanted: boolean[];
  private moveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly unlisten: (() => void)[];

  private constructor(private readonly host: MultiSeatHost, options: Exclude<KmsSeatOptions, boolean> | undefined) {
    const { upright, turn } = host.turning;
    let input: KmsInput | undefined;
    if (options) {
      try {
        input = new KmsInput([upright.width, upright.height], {
          pointerMoved: () => this.follow(),
          vtSwitch: (n) => host.session.switchTo(n),
          pointerPresent: () => this.follow(),
        }, { ...options, turn }); // touch and tablets are fixed to the panels: turned back into the picture
      } catch (e) {
        log.warn(`kms: no input (${e instanceof Error ? e.message : e})`);
      }
    }
    this.kmsInput = input;
    this.input = input?.queue;
    const taken = new Set<PlaneId>();
    this.cursors = host.heads.map((h) => {
      if (!input || options?.cursor === false) return undefined;
      try {
        const c = CursorPlane.find(host.drm, h.output, taken, turn); // the arrow turned as the picture is
        if (c) taken.add(c.plane);
        return c;
      } catch (e) {
        log.warn(`kms: no cursor on ${h.name} (${e instanceof Error ? e.message : e})`);
        return undefined;
      }
    });
    this.states = host.heads.map(() => "off");
    this.wanted = host.heads.map(() => false);
    if (input) {
      try {
        host.session.muteKeyboard(); // we read the keyboard: the console must not act on it too
      } catch (e) {
        log.warn(`kms: cannot turn the console keyboard off: ${e instanceof Error ? e.message : e}`);
      }
    }
    this.unlisten = [host.session.leaving.add(() => input?.suspend()), host.session.returned.add(() => this.returned())];
    this.follow();
  }

  /** The seat for `host`'s outputs; `options` false: no input and no cursor. */
  static open(host: MultiSeatHost, options: KmsSeatOptions = true): KmsMultiSeat {
    return new KmsMultiSeat(host, options === true ? {} : options === false ? undefined : options);
  }

  /** Which output the cursor shows on now (indices into heads; several in clone). */
  get cursorOn(): number[] {
    return this.states.flatMap((s, i) => (s === "shown" ? [i] : []));
  }

  /** Works out, per output, whether the arrow should show there and where, then gets the changes committed. */
  private follow(): void {
    const input = this.kmsInput;
    if (!input || this.closed) return;
    const [px, py] = input.pointer;
    const { upright, turn } = this.host.turning;
    this.host.heads.forEach((head, i) => {
      const c = this.cursors[i];
      if (!c) return;
      const at = input.hasPointer ? pointerOnOutput(px, py, upright.viewports[i]!, turn, head.output.mode) : undefined;
      this.wanted[i] = at !== undefined;
      if (at) c.move(...at);
    });
    this.scheduleSideCommits();
  }

  /** Whether output i's cursor plane differs from what it should show. */
  private dirty(i: number): boolean {
    const c = this.cursors[i];
    const s = this.states[i];
    if (!c || s === "failed") return false;
    return this.wanted[i] ? s === "off" || c.pending : s === "shown";
  }

  /**
   * Adds output i's cursor change to one of its commits (a frame's, or a side commit); returns what
   * to call once the kernel took that commit. Until then the change stays due, so a commit refused
   * with EBUSY and tried again carries the newest cursor state.
   */
  addToCommit(i: number, req: AtomicRequest): (() => void) | undefined {
    if (!this.dirty(i) || this.host.session.suspended) return undefined;
    const c = this.cursors[i]!;
    if (!this.wanted[i]) {
      c.disableInto(req);
      return () => {
        this.states[i] = "off";
        c.forget();
      };
    }
    if (this.states[i] === "off") {
      const done = c.enableInto(req);
      return () => {
        this.states[i] = "shown";
        done();
      };
    }
    return c.moveInto(req);
  }

  /** Output i was switched off (paused): its cursor plane goes off with it, and is enabled again once it is lit. */
  headOff(i: number, req: AtomicRequest): void {
    const c = this.cursors[i];
    if (!c || this.states[i] === "failed") return;
    c.disableInto(req); // also when it seems off already: a retried switch-off must carry it too
    this.states[i] = "off";
    c.forget();
  }

  /** After each flip of output i: a change no frame carried is scheduled for a commit of its own. */
  afterFlip(i: number): void {
    if (this.dirty(i)) this.scheduleSideCommits();
  }

  /** A change goes out with the output's next frame; only when none carried it within about a refresh does it get its own commit. */
  private scheduleSideCommits(): void {
    if (this.moveTimer || this.closed || !this.cursors.some((_, i) => this.dirty(i))) return;
    const hz = Math.max(...this.host.heads.map((h) => h.refresh), 1);
    this.moveTimer = setTimeout(() => {
      this.moveTimer = undefined;
      if (this.closed || this.host.session.suspended) return;
      let again = false;
      this.host.heads.forEach((head, i) => {
        if (!this.dirty(i)) return;
        try {
          // false while busy (its next flip calls afterFlip), or EBUSY: the CRTC's last commit is still being done
          const refused = head.sideRefusals;
          if (!head.commitSide((req) => this.addToCommit(i, req)) && head.sideRefusals > refused) again = true;
        } catch (e) {
          this.states[i] = "failed";
          log.warn(`kms: the cursor plane of ${head.name} cannot be used, the pointer is not drawn there: ${e instanceof Error ? e.message : e}`);
        }
      });
      if (again) this.scheduleSideCommits();
    }, Math.ceil(1000 / (hz > 1 ? hz : 60)) + 1);
    this.moveTimer.unref();
  }

  /** Back from another VT: the console's modeset turned the cursor planes off; devices reopen. */
  private returned(): void {
    this.states.forEach((s, i) => s === "shown" && (this.states[i] = "off"));
    for (const c of this.cursors) c?.forget();
    this.kmsInput?.resume();
    this.follow();
  }

  /** The figures for stats: where the cursor shows. */
  stats(): Record<string, string | number> {
    if (!this.cursors.some((c) => c)) return {};
    return { cursorOn: this.cursorOn.map((i) => this.host.heads[i]!.name).join(",") || "none", ...(this.busyRetries ? { cursorBusyRetries: this.busyRetries } : {}) };
  }

  /** Side commits of cursor changes the kernel refused with EBUSY (each tried again), over all outputs. */
  get busyRetries(): number {
    return this.host.heads.reduce((n, h) => n + h.sideRefusals, 0);
  }

  /** Closes input and frees the cursor images; call after the display's state was restored. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.moveTimer);
    for (const off of this.unlisten) off();
    this.kmsInput?.close();
    for (const c of this.cursors) c?.destroy();
  }
}
