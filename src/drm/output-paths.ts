// Display paths for several outputs at once: each selected output gets a mode, its own CRTC and a
// primary plane on that CRTC, none shared with another output (chooseOutput picks one output alone
// and may reuse a CRTC another one needs). Pure, so it is tested without a display.
import { DrmError } from "./error.js";
import type { DisplayObjects, Output } from "./output.js";
import { describeOutput } from "./output.js";
import type { OutputInfo } from "./outputs.js";
import { printable } from "./printable.js";
import { describeMode, DRM_FORMAT_XRGB8888, fourccName, pickMode, type CrtcId, type Mode, type PlaneId } from "./types.js";

/** The mode for `info`: `spec` ("WxH" or "WxH@Hz") or its preferred mode; a mode it lacks is a DrmError listing the modes it has. */
export function modeFor(info: OutputInfo, spec: string | undefined): Mode {
  const mode = pickMode(info.modes, spec);
  if (mode) return mode;
  const list = [...new Set(info.modes.map((m) => describeMode(m)))].join(", ");
  throw new DrmError(`mode ${spec ?? "(preferred)"} is not offered by ${info.name}; it offers ${list || "no modes"}`);
}

/**
 * A path (connector, mode, CRTC, encoder, primary plane) for each of `outputs`, in order, with no
 * CRTC or plane used twice: an output keeps the CRTC driving it now where it can. `mode` applies to
 * every output. Throws DrmError naming the output that has no free CRTC with a primary plane for
 * `format`, or lacks the mode (listing its modes).
 */
export function assignOutputs(objects: DisplayObjects, outputs: readonly OutputInfo[], options: { mode?: string; format?: number } = {}): Output[] {
  const format = options.format ?? DRM_FORMAT_XRGB8888;
  const takenCrtcs = new Set<CrtcId>();
  const takenPlanes = new Set<PlaneId>();
  return outputs.map((info) => {
    const mode = modeFor(info, options.mode);
    const crtcs = [...(info.currentCrtc !== undefined ? [info.currentCrtc] : []), ...info.crtcs].filter((c) => !takenCrtcs.has(c));
    for (const crtc of crtcs) {
      const planes = objects.planes.filter((p) => p.type === "Primary" && p.possibleCrtcs.includes(crtc) && p.formats.includes(format) && !takenPlanes.has(p.id));
      const plane = planes.find((p) => p.crtc === crtc) ?? planes[0];
      const encoder = info.connector.encoders.find((id) => objects.encoders.some((e) => e.id === id && e.possibleCrtcs.includes(crtc)));
      if (!plane || encoder === undefined) continue;
      takenCrtcs.add(crtc);
      takenPlanes.add(plane.id);
      return printable({ connector: info.connector, mode, crtc, encoder, plane }, describeOutput);
    }
    throw new DrmError(`no free CRTC with a primary plane supporting ${fourccName(format)} can drive ${info.name}` +
      ` (its CRTCs ${info.crtcs.join(",") || "none"}; taken by the outputs before it: ${[...takenCrtcs].join(",") || "none"})`);
  });
}
