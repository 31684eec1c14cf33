// The display session of a KMS program on a Linux VT: whether our VT is the one shown, and what
// happens when the user switches away and back. On a switch away everyone listening to `leaving`
// stops using the display (the presenter lets its last flip land, input closes its devices), then
// DRM master is dropped and the kernel shows the other VT; on the way back master is taken again and
// `returned` listeners set the display up again. Built on vt.ts's VtGuard, which owns the VT itself.
import { Listeners } from "../util/listeners.js";
import { logger } from "../util/log.js";
import type { DrmDevice } from "./device.js";
import { takeVt, type VtGuard } from "./vt.js";

const log = logger("drm");

/** What a `leaving` listener gets: the switch away (and the drop of master) waits for what it adds. */
export interface SessionLeave {
  /** Holds the switch until `done` settles (e.g. the flip in flight has landed); a rejection is logged. */
  waitFor(done: Promise<void>): void;
}

/**
 * The VT we run on and switches away from it (Ctrl+Alt+Fn, chvt). Made by KmsSession.take; close()
 * hands the VT back (text mode, automatic switching), also done at process exit by the VtGuard.
 */
export class KmsSession {
  /** Another VT is about to be shown: stop committing. Master is dropped once every waitFor settled. */
  readonly leaving = new Listeners<SessionLeave>();
  /** Our VT is shown again and master is ours: the console changed the display, so set it up again. */
  readonly returned = new Listeners<void>();
  private away: { promise: Promise<void>; resolve: () => void } | undefined;
  private closed = false;

  constructor(
    /** The VT taken over (vt.vt is undefined when not running on one: there are no switches then). */
    readonly vt: VtGuard,
  ) {
    vt.onSwitch({ release: () => this.leave(), acquire: () => this.return() });
  }

  /** Takes over the VT we run on (graphics mode, switches under our control) for `drm`'s display. */
  static take(drm: DrmDevice): KmsSession {
    return new KmsSession(takeVt(drm));
  }

  /** Whether another VT is shown (nothing may be committed). */
  get suspended(): boolean {
    return this.away !== undefined;
  }

  /** undefined on our VT; else a promise that resolves when we are switched back (or closed). */
  whileAway(): Promise<void> | undefined {
    return this.away?.promise;
  }

  /** Asks for VT `n` to be shown (Ctrl+Alt+F<n>); a failure is logged, not thrown. */
  switchTo(n: number): void {
    try {
      this.vt.activate(n);
    } catch (e) {
      log.warn(`VT switch to ${n}: ${e instanceof Error ? e.message : e}`);
    }
  }

  /** Stops the console from reading the keyboard (we read it through libinput); see VtGuard.muteKeyboard. Throws SysError. */
  muteKeyboard(): void {
    this.vt.muteKeyboard();
  }

  private async leave(): Promise<void> {
    if (!this.away) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.away = { promise, resolve };
    }
    const waits: Promise<void>[] = [];
    this.leaving.emit({ waitFor: (done) => void waits.push(done) });
    const results = await Promise.allSettled(waits);
    for (const r of results) if (r.status === "rejected") log.warn(`VT switch away: ${r.reason instanceof Error ? r.reason.message : r.reason}`);
  }

  private return(): void {
    try {
      this.returned.emit();
    } finally {
      const away = this.away;
      this.away = undefined;
      away?.resolve();
    }
  }

  /** Ends the session: a present waiting in whileAway() goes on, and the VT is handed back. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.away?.resolve();
    this.away = undefined;
    this.vt.release();
  }
}
