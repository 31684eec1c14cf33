// Options of the KMS presenter (kms.ts): which display, mode and images, and how frames are synchronised.
import type { DrmDevice, OutputLayout, QuarterTurn } from "../drm/index.js";
import type { KmsSeatOptions } from "../input/kms-seat.js";
import type { PacingOptions } from "./pacing.js";
import type { KmsColourOptions } from "./kms-colour.js";
import type { KmsOverlayOptions } from "./kms-overlay.js";

/**
 * Options of the KMS backend, which shows frames full screen on a display through DRM atomic modesetting (needs DRM master: run from a VT, not under a compositor).
 * The colour options (color, hdrMetadata, depth) are KmsColourOptions.
 */
export interface KmsOptions extends PacingOptions, KmsColourOptions {
  /** DRM node (default: the first card with a connected display). */
  drm?: string | DrmDevice;
  /** Input through libinput, the pointer on the cursor plane and Ctrl+Alt+Fn (default true; false: none; see KmsSeatOptions). */
  input?: KmsSeatOptions;
  /** Connector name, e.g. "Virtual-1", "HDMI-A-1". */
  connector?: string;
  /** "WxH" or "WxH@Hz"; default: a mode of exactly `size` if the display has one, else the preferred mode. */
  mode?: string;
  /** Wanted size; KMS renders at the mode's size, so this only picks the mode when `mode` is not given. */
  size?: readonly [number, number];
  /** Scanout images (default 3: one on screen, one queued, one rendering; mailbox and immediate 4: one more held). */
  images?: number;
  /** How long a page flip may take before the presenter fails with FlipTimeoutError (default: ten refreshes, at least 1000 ms). */
  flipTimeoutMs?: number;
  /** Force the dumb-buffer copy path (tests, drivers whose import fails silently). */
  forceCopy?: boolean;
  /** "cpu-wait" forces waiting for each frame on the CPU instead of handing the plane an IN_FENCE_FD. */
  sync?: "auto" | "cpu-wait";
  /** A second layer (a HUD, a video frame) on an overlay plane, chosen with TEST_ONLY, else composed into each frame. */
  overlay?: KmsOverlayOptions;
  /** Variable refresh: "auto" (default) sets VRR_ENABLED where the connector is vrr_capable; "off" never. Stats say which, and why not. */
  vrr?: "auto" | "off";
}

/**
 * Options of the KMS presenter over several outputs (kms-multi.ts): every KmsOptions field but
 * `connector` and `overlay`, plus which outputs and how they share the picture. `input`: the pointer
 * moves over the whole picture (extend: all outputs), its arrow on the cursor plane of the output under it.
 */
export interface KmsMultiOptions extends Omit<KmsOptions, "connector" | "overlay"> {
  /** "all" (every connected output) or connector names, e.g. ["Virtual-1", "Virtual-2"]. */
  connectors: "all" | readonly string[];
  /** "extend" (default): one image, the outputs side by side, each showing its viewport; "clone": the same image on every output. */
  layout?: OutputLayout;
  /** Turns every output's picture counter-clockwise (default 0): by the planes' rotation property, else rendered turned (see rotateBy). */
  rotate?: QuarterTurn;
  /**
   * Who turns the picture: "auto" (default) the planes where each has the turn and the kernel's
   * TEST_ONLY takes it, else our rendering; "plane" only the planes (an error names a plane that
   * cannot); "render" always our rendering (targets then carry RenderTarget.transform). Stats say which.
   */
  rotateBy?: "auto" | "plane" | "render";
  /** What an output whose display is unplugged does: "pause" (default; resumes with a modeset when it is back) or "end" (the frame loop ends). */
  onOutputRemoved?: "pause" | "end";
  /** Follow hotplug (default true): false reads the outputs once. */
  hotplug?: boolean;
}
