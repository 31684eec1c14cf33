// A record of the page flips of one output as their events arrive: the recent events, vblanks
// missed between consecutive flips, and the steady flip rate (without the modeset's flip, whose
// timestamp predates the new mode's vblank timeline).
import type { FlipEvent } from "./events.js";

const KEEP = 1000;

/** The page flips of one output, as their events arrive: recent events, vblanks missed between flips, and the steady flip rate. */
export class FlipLog {
  private readonly kept: FlipEvent[] = [];
  /** Whether old events were dropped: then the modeset's flip is no longer the first one kept. */
  private trimmed = false;
  private missed = 0;

  /** Records one flip; a jump of more than one in the vblank counter since the previous flip counts as missed vblanks. */
  add(ev: FlipEvent): void {
    const last = this.kept[this.kept.length - 1];
    if (last) this.missed += Math.max(0, ev.sequence - last.sequence - 1);
    this.kept.push(ev);
    if (this.kept.length > KEEP) {
      this.kept.splice(0, KEEP / 2);
      this.trimmed = true;
    }
  }

  /** The last 500 to 1000 events, oldest first. */
  get events(): readonly FlipEvent[] {
    return this.kept;
  }

  /** Vblanks that passed without a flip, between the first flip and the last. */
  get missedVblanks(): number {
    return this.missed;
  }

  /** Flips per second over the kept events after the modeset; undefined before two such flips. */
  get flipsPerSecond(): number | undefined {
    const steady = this.trimmed ? this.kept : this.kept.slice(1);
    if (steady.length < 2) return undefined;
    const seconds = (steady[steady.length - 1]!.timeUs - steady[0]!.timeUs) / 1e6;
    return seconds > 0 ? (steady.length - 1) / seconds : undefined;
  }
}
