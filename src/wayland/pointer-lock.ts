// Pointer lock and confinement (zwp_pointer_constraints_v1) and relative motion
// (zwp_relative_pointer_manager_v1) for a window: what mouse-look and games need. A lock holds
// the pointer still over the window (its image hidden) while relative-motion events keep coming;
// a confinement keeps it inside the window. The compositor decides when either takes effect
// (usually once the window has focus and the pointer is over it): pointer-locked / -confined events
// say so. Constraints are persistent: they come back when focus returns, until release().
import type { InputEvent } from "../input/events.js";
import { logger } from "../util/log.js";
import type { CursorShape } from "./cursor.js";
import {
  ZwpPointerConstraintsV1,
  ZwpPointerConstraintsV1Lifetime,
  type ZwpConfinedPointerV1,
  type ZwpLockedPointerV1,
} from "./protocol/pointer-constraints-unstable-v1.js";
import { ZwpRelativePointerManagerV1, type ZwpRelativePointerV1 } from "./protocol/relative-pointer-unstable-v1.js";
import type { WlSeat } from "./protocol/wayland.js";
import type { SeatPointer } from "./seat-pointer.js";
import type { SeatExtension, WaylandInput } from "./seat.js";

const log = logger("wayland");

/** What the pointer is held to: nothing, still (locked), or inside the window (confined). */
export type PointerConstraint = "none" | "locked" | "confined";

/** Per pointer: its relative pointer and constraint objects. */
interface Held {
  relative: ZwpRelativePointerV1 | undefined;
  constraint: ZwpLockedPointerV1 | ZwpConfinedPointerV1 | undefined;
  /** The constraint is in effect (locked / confined received, not yet its end). */
  active: boolean;
}

/**
 * A window's pointer lock, confinement and relative motion (made by DesktopWindow). Without the
 * compositor's protocols, lock() and confine() throw and relative motion stays off (`available`).
 */
export class PointerControl implements SeatExtension {
  private readonly constraints: ZwpPointerConstraintsV1 | undefined;
  private readonly relativeManager: ZwpRelativePointerManagerV1 | undefined;
  private readonly held = new Map<SeatPointer, Held>();
  private modeValue: PointerConstraint = "none";
  private relativeWanted = false;
  /** The cursor shape to restore when a lock ends. */
  private shapeBefore: CursorShape | undefined;
  private readonly removeExtension: () => void;

  constructor(private readonly input: WaylandInput) {
    const globals = input.target.globals;
    this.constraints = globals.tryBind(ZwpPointerConstraintsV1, { fallback: "no pointer lock or confinement" });
    this.relativeManager = globals.tryBind(ZwpRelativePointerManagerV1, { fallback: "no relative pointer motion" });
    this.removeExtension = input.extend(this);
  }

  /** Which protocols the compositor offers: constraints (lock, confine) and relative motion. */
  get available(): { constraints: boolean; relativeMotion: boolean } {
    return { constraints: this.constraints !== undefined, relativeMotion: this.relativeManager !== undefined };
  }

  /** The constraint asked for (whether it is in effect now, the pointer-locked / -confined events tell). */
  get mode(): PointerConstraint {
    return this.modeValue;
  }

  /** Whether relative-motion events are delivered (always while locked). */
  get relativeMotion(): boolean {
    return this.relativeWanted || this.modeValue === "locked";
  }

  /** Turns relative-motion events on or off while not locked (a lock turns them on by itself). */
  set relativeMotion(on: boolean) {
    this.relativeWanted = on;
    this.syncRelative();
  }

  /** Holds the pointer still over the window and hides it; relative-motion events report the moves. */
  lock(): void {
    this.setMode("locked");
  }

  /** Keeps the pointer inside the window. */
  confine(): void {
    this.setMode("confined");
  }

  /** Ends a lock or confinement. */
  release(): void {
    this.setMode("none");
  }

  private setMode(mode: PointerConstraint): void {
    if (mode !== "none" && !this.constraints) throw new Error(`pointer ${mode === "locked" ? "lock" : "confinement"}: the compositor offers no zwp_pointer_constraints_v1`);
    if (mode === this.modeValue) return;
    const wasLocked = this.modeValue === "locked";
    for (const [p, h] of this.held) this.dropConstraint(p, h);
    this.modeValue = mode;
    if (mode === "locked" && !wasLocked) this.shapeBefore = this.currentShape();
    for (const [p, h] of this.held) this.addConstraint(p, h);
    if (mode === "locked") this.input.setCursor("hidden");
    else if (wasLocked) this.input.setCursor(this.shapeBefore ?? "default");
    this.syncRelative();
  }

  private currentShape(): CursorShape {
    return this.input.pointers.find((p) => p.focus === this.input.target.surface)?.shape ?? "default";
  }

  /** SeatExtension: a new pointer gets the current constraint and, when wanted, a relative pointer. */
  pointerAdded(_seat: WlSeat, pointer: SeatPointer): void {
    const h: Held = { relative: undefined, constraint: undefined, active: false };
    this.held.set(pointer, h);
    this.addConstraint(pointer, h);
    this.syncRelative();
  }

  /** SeatExtension: a pointer going away drops its constraint and relative pointer. */
  pointerRemoved(_seat: WlSeat, pointer: SeatPointer): void {
    const h = this.held.get(pointer);
    if (!h) return;
    this.held.delete(pointer);
    this.dropConstraint(pointer, h);
    this.dropRelative(h);
  }

  private emit(event: InputEvent): void {
    this.input.queue.push(event);
  }

  private addConstraint(p: SeatPointer, h: Held): void {
    const c = this.constraints;
    if (!c || this.modeValue === "none") return;
    const surface = this.input.target.surface;
    const persistent = ZwpPointerConstraintsV1Lifetime.persistent;
    if (this.modeValue === "locked") {
      const lock = c.lock_pointer(surface, p.proxy, null, persistent);
      lock.listen({
        locked: () => this.activate(h, true, "pointer-locked"),
        unlocked: () => this.activate(h, false, "pointer-unlocked"),
      });
      h.constraint = lock;
    } else {
      const confine = c.confine_pointer(surface, p.proxy, null, persistent);
      confine.listen({
        confined: () => this.activate(h, true, "pointer-confined"),
        unconfined: () => this.activate(h, false, "pointer-unconfined"),
      });
      h.constraint = confine;
    }
  }

  private activate(h: Held, on: boolean, type: "pointer-locked" | "pointer-unlocked" | "pointer-confined" | "pointer-unconfined"): void {
    h.active = on;
    this.emit({ type, time: performance.now() });
  }

  private dropConstraint(_p: SeatPointer, h: Held): void {
    const c = h.constraint;
    h.constraint = undefined;
    // destroying an active constraint ends it without an event from the compositor: say so ourselves
    if (c && h.active) this.activate(h, false, this.modeValue === "locked" ? "pointer-unlocked" : "pointer-unconfined");
    try {
      if (c && !c.destroyed) c.destroy();
    } catch {
      // connection gone
    }
  }

  private syncRelative(): void {
    const want = this.relativeMotion && this.relativeManager !== undefined;
    for (const [p, h] of this.held) {
      if (want && !h.relative) h.relative = this.makeRelative(p);
      else if (!want) this.dropRelative(h);
    }
  }

  private makeRelative(p: SeatPointer): ZwpRelativePointerV1 {
    const rel = this.relativeManager!.get_relative_pointer(p.proxy);
    rel.listen({
      relative_motion: (_hi, _lo, dx, dy, ux, uy) => {
        // only while our window has the pointer (the compositor sends them wherever it is)
        if (p.focus !== this.input.target.surface) return;
        this.emit({ type: "relative-motion", time: performance.now(), dx, dy, dxUnaccelerated: ux, dyUnaccelerated: uy });
      },
    });
    return rel;
  }

  private dropRelative(h: Held): void {
    const r = h.relative;
    h.relative = undefined;
    try {
      if (r && !r.destroyed) r.destroy();
    } catch {
      // connection gone
    }
  }

  /** Ends constraints and relative pointers and releases the globals (the connection may be gone). */
  destroy(): void {
    this.removeExtension();
    try {
      this.constraints?.destroy();
      this.relativeManager?.destroy();
    } catch {
      log.debug("pointer control: connection already gone");
    }
  }
}
