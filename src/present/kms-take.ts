// Taking a display for a KMS presenter, shared by the one-output (kms.ts) and several-output
// (kms-multi.ts) backends: the device opened unless the app gave one, atomic modesetting and DRM
// master checked, the VT session taken before the state is saved, so every way out restores the
// display before the VT is handed back; and all of it given back in reverse if opening fails.
import { Scope } from "../vk/index.js";
import { logger } from "../util/log.js";
import { DrmDevice, DrmUnavailableError, guardState, KmsSession } from "../drm/index.js";

const log = logger("present");

/** What a KMS presenter holds of its display. */
export interface TakenDisplay<C> {
  readonly drm: DrmDevice;
  /** Whether the presenter opened `drm` (and so closes it). */
  readonly ownsDrm: boolean;
  /** What `choose` picked on the device (the output or outputs), before the VT was taken. */
  readonly choice: C;
  readonly session: KmsSession;
  readonly guard: ReturnType<typeof guardState>;
}

/**
 * Takes the display `given` (a node path, an open DrmDevice, or undefined for the first card),
 * picks what to show on with `choose`, then makes the presenter with `make`. Throws
 * DrmUnavailableError where KMS cannot work; anything `choose` or `make` throws gives back what was
 * taken, in reverse order, and propagates unchanged.
 */
export function takeDisplay<C, T>(what: string, given: string | DrmDevice | undefined, choose: (drm: DrmDevice) => C, make: (taken: TakenDisplay<C>) => T): T {
  const undo = new Scope(what); // what to put back if opening fails half-way
  try {
    const drm = given instanceof DrmDevice ? given : DrmDevice.open(given);
    if (drm !== given) undo.defer(() => drm.close());
    if (!drm.atomic) throw new DrmUnavailableError(`${drm.path}: the KMS presenter needs atomic modesetting, which this driver lacks`);
    if (!drm.isMaster()) throw new DrmUnavailableError(`${drm.path}: not DRM master (a compositor or another program owns the display)`);
    const choice = choose(drm);
    const session = KmsSession.take(drm);
    undo.defer(() => session.close());
    const guard = guardState(drm);
    undo.defer(() => guard.restore());
    return make({ drm, ownsDrm: drm !== given, choice, session, guard });
  } catch (e) {
    try {
      undo.close();
    } catch (undoError) {
      log.warn(`kms: while giving the display back: ${undoError instanceof Error ? undoError.message : undoError}`);
    }
    throw e;
  }
}
