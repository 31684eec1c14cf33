// Variable refresh for the presenter over several outputs (kms-multi.ts), as the one-output presenter
// has it (kms-features.ts): each output's connector says whether it can (vrr_capable), read again at
// each of its modesets (a hotplug may bring another display), and VRR_ENABLED goes on its CRTC with
// the modeset where it can and options.vrr is "auto". Stats say per output which, and why not.
import { addVrr, readVrr, vrrStats, type AtomicRequest, type DrmDevice, type Output, type VrrSupport } from "../drm/index.js";
import { logger } from "../util/log.js";

const log = logger("present");

export class MultiVrr {
  /** Per output (the heads' order): what it offered at its last modeset (undefined before the first). */
  private readonly support: (VrrSupport | undefined)[];

  constructor(private readonly drm: DrmDevice, count: number, private readonly wanted: "auto" | "off" = "auto") {
    if (wanted !== "auto" && wanted !== "off") throw new RangeError(`kms: vrr must be "auto" or "off", got ${String(wanted)}`);
    this.support = Array.from({ length: count }, () => undefined);
  }

  /** Adds output i's VRR_ENABLED to its modeset where its connector can vary the refresh. */
  addToModeset(i: number, req: AtomicRequest, output: Output): void {
    const support = readVrr(this.drm, output.connector.id, output.crtc);
    const was = this.support[i];
    this.support[i] = support;
    const on = this.enabled(support);
    addVrr(req, output.crtc, support, on);
    if (was?.state !== support.state) log.info(`kms: ${output.connector.name}: variable refresh ${vrrStats(support, on).vrr}${support.state === "capable" ? "" : ` (${support.reason})`}`);
  }

  private enabled(support: VrrSupport): boolean {
    return support.state === "capable" && this.wanted === "auto";
  }

  /** Per output: "<name> vrr" ("on", "off", "incapable", "absent") and "<name> vrrReason" when it is not available. */
  stats(names: readonly string[]): Record<string, string> {
    const s: Record<string, string> = {};
    this.support.forEach((support, i) => {
      if (!support) return;
      const { vrr, vrrReason } = vrrStats(support, this.enabled(support));
      s[`${names[i]} vrr`] = vrr;
      if (vrrReason) s[`${names[i]} vrrReason`] = vrrReason;
    });
    return s;
  }
}
