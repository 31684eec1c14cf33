// The KMS side of present modes: whether the driver can flip without waiting for vblank (immediate),
// and how long a page-flip event may take before the display is considered gone.
import type { DrmDevice } from "../drm/index.js";
import type { Pacing } from "./pacing.js";

/** A capability's value, or undefined when the kernel does not know it (GET_CAP fails, e.g. EINVAL). */
function capability(drm: DrmDevice, cap: "asyncPageFlip" | "atomicAsyncPageFlip"): bigint | undefined {
  try {
    return drm.getCap(cap);
  } catch {
    return undefined;
  }
}

/**
 * Settles the mode for immediate on this display: DRM_MODE_PAGE_FLIP_ASYNC needs the driver to
 * report async flips for atomic commits; without them immediate falls back to mailbox, saying why.
 * Our atomic commits do not carry the async flag yet either, so for now immediate is mailbox on KMS
 * whatever the driver reports, with the reason naming what is missing.
 */
export function settleKmsMode(drm: DrmDevice, pacing: Pacing): void {
  if (pacing.requested !== "immediate") return;
  const legacy = capability(drm, "asyncPageFlip");
  const atomic = capability(drm, "atomicAsyncPageFlip"); // DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP (Linux 6.8+)
  const figures = `DRM_CAP_ASYNC_PAGE_FLIP ${legacy ?? "unknown"}, DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP ${atomic ?? "unknown"}`;
  if (atomic !== 1n) {
    pacing.fallBack("mailbox", `${drm.path}: the driver has no async page flips for atomic commits (${figures}): immediate falls back to mailbox`);
    return;
  }
  pacing.fallBack("mailbox", `${drm.path}: the driver offers async page flips (${figures}), but scanout's atomic commits do not pass DRM_MODE_PAGE_FLIP_ASYNC yet: immediate falls back to mailbox`);
}

/** How long a page flip may take before it counts as missed: ten refreshes, at least one second. */
export function flipTimeoutMs(refreshHz: number, option: number | undefined): number {
  if (option !== undefined) {
    if (!(option > 0)) throw new RangeError(`kms: flipTimeoutMs must be a positive number of ms, got ${option}`);
    return option;
  }
  return Math.max(1000, refreshHz > 0 ? 10_000 / refreshHz : 1000);
}

/** The error of a flip whose event did not come: the display is off (DPMS), gone, or the driver lost the event. */
export class FlipTimeoutError extends Error {
  constructor(
    readonly connector: string,
    readonly frame: number,
    readonly timeoutMs: number,
  ) {
    super(`kms: no page-flip event on ${connector} within ${timeoutMs} ms of committing frame ${frame} (display off or in DPMS standby, or unplugged?)`);
    this.name = "FlipTimeoutError";
  }
}
