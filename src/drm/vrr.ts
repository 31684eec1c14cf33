// Variable refresh rate (Adaptive-Sync, FreeSync, HDMI VRR): the kernel says per connector whether
// the display and driver can vary the refresh (`vrr_capable`, immutable 0/1) and lets a CRTC turn it
// on (`VRR_ENABLED`, 0/1, in a modeset or a flip). The DRM core gives every atomic CRTC VRR_ENABLED,
// so what tells is the connector: a driver without VRR (vkms, virtio-gpu) has no vrr_capable. That is
// a normal answer, reported with the reason rather than as an error.
import type { AtomicRequest } from "./atomic.js";
import type { DrmDevice } from "./device.js";
import type { PropertySet } from "./properties.js";
import type { ConnectorId, CrtcId } from "./types.js";

/**
 * What a connector and CRTC offer for variable refresh: "absent" (the driver has no VRR properties),
 * "incapable" (it has them, but this display or link cannot: vrr_capable is 0), or "capable" with
 * whether VRR_ENABLED is on now.
 */
export type VrrSupport =
  | { state: "absent"; reason: string }
  | { state: "incapable"; reason: string }
  | { state: "capable"; enabled: boolean };

/** The connector's `vrr_capable` and the CRTC's `VRR_ENABLED`, read from their property sets (pure). */
export function vrrFrom(connector: PropertySet, crtc: PropertySet): VrrSupport {
  if (!connector.has("vrr_capable"))
    return { state: "absent", reason: `${connector.owner} has no vrr_capable property: the driver has no variable refresh` };
  if (!crtc.has("VRR_ENABLED"))
    return { state: "absent", reason: `${crtc.owner} has no VRR_ENABLED property: the driver cannot vary its refresh` };
  if (connector.number("vrr_capable") === 0)
    return { state: "incapable", reason: `${connector.owner}: vrr_capable is 0 (the display or its link cannot vary the refresh)` };
  return { state: "capable", enabled: crtc.number("VRR_ENABLED") !== 0 };
}

/** What `connector` on `crtc` of `dev` offers for variable refresh (see VrrSupport). */
export function readVrr(dev: DrmDevice, connector: ConnectorId, crtc: CrtcId): VrrSupport {
  return vrrFrom(dev.properties("connector", connector), dev.properties("crtc", crtc));
}

/**
 * Adds VRR_ENABLED = `enable` for `crtc` to `req` when `support` is "capable"; returns whether it
 * did (with any other support there is nothing to set, and nothing is).
 */
export function addVrr(req: AtomicRequest, crtc: CrtcId, support: VrrSupport, enable: boolean): boolean {
  if (support.state !== "capable") return false;
  req.crtc(crtc, { VRR_ENABLED: enable });
  return true;
}

/** The stats a presenter reports: "on", "off" (capable, not asked for), "incapable" or "absent", with the reason for the last two. */
export function vrrStats(support: VrrSupport, enabled: boolean): { vrr: string; vrrReason?: string } {
  if (support.state === "capable") return { vrr: enabled ? "on" : "off" };
  return { vrr: support.state, vrrReason: support.reason };
}
