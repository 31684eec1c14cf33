// What the KMS presenter uses of an output beyond its primary plane: a second layer (kms-overlay.ts)
// and variable refresh (src/drm/vrr.ts). One object, so the presenter has one hook per step: set up
// once its targets exist, add to each commit, record after each frame, report in stats, free at the end.
import type { CommandBuffer, Device, Format, ImageLayout } from "../vk/index.js";
import { logger } from "../util/log.js";
import { addVrr, readVrr, vrrStats, type AtomicRequest, type DrmDevice, type FbId, type Output, type VrrSupport } from "../drm/index.js";
import { KmsOverlay } from "./kms-overlay.js";
import type { KmsOptions } from "./kms-options.js";
import type { RenderTarget } from "./presenter.js";

const log = logger("present");

/** The overlay layer and variable refresh of one KMS presenter. Made by KmsFeatures.create. */
export class KmsFeatures {
  private constructor(
    /** The second layer (options.overlay): on an overlay plane, or composed into each frame. */
    readonly overlay: KmsOverlay | undefined,
    /** What the connector and CRTC offer for variable refresh. */
    readonly vrr: VrrSupport,
    /** Whether VRR_ENABLED is set with each modeset. */
    readonly vrrEnabled: boolean,
    private readonly output: Output,
  ) {}

  /** Reads VRR support and places the overlay; `probeFb` (a target's framebuffer) stands for the frames in the overlay's TEST_ONLY modeset. */
  static create(device: Device, drm: DrmDevice, output: Output, format: Format, finalLayout: ImageLayout, probeFb: FbId, options: KmsOptions): KmsFeatures {
    const vrr = readVrr(drm, output.connector.id, output.crtc);
    const vrrEnabled = vrr.state === "capable" && (options.vrr ?? "auto") === "auto";
    log.info(`kms: variable refresh ${vrrStats(vrr, vrrEnabled).vrr}${vrr.state === "capable" ? "" : ` (${vrr.reason})`}`);
    const overlay = options.overlay ? KmsOverlay.create(device, drm, output, format, finalLayout, probeFb, options.overlay) : undefined;
    return new KmsFeatures(overlay, vrr, vrrEnabled, output);
  }

  /** Adds the overlay plane and VRR_ENABLED to a modeset commit (both keep their state across flips). */
  addToCommit(req: AtomicRequest, modeset: boolean): void {
    this.overlay?.addToCommit(req, modeset);
    if (modeset) addVrr(req, this.output.crtc, this.vrr, this.vrrEnabled);
  }

  /** Records what follows the app's commands in a frame: the composed overlay, when no plane shows it. */
  recordAfter(cmd: CommandBuffer, target: RenderTarget): void {
    this.overlay?.recordCompose(cmd, target);
  }

  /** vrr ("on", "off", "incapable", "absent") with the reason when it is not available, and where the overlay is shown. */
  stats(): Record<string, string> {
    return { ...vrrStats(this.vrr, this.vrrEnabled), ...this.overlay?.stats() };
  }

  /** Frees the overlay's buffers (after the display state is restored and the GPU is done). */
  destroy(): void {
    this.overlay?.destroy();
  }
}
