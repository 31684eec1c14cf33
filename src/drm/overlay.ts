// Overlay planes: a second layer (a HUD, a video frame) that the display hardware blends over the
// primary plane, so the app does not have to draw it into every frame. Whether a driver can show a
// given layer (format, size, position, scaling, bandwidth) is known only by asking it: each candidate
// plane is tried with an atomic TEST_ONLY commit together with the rest of the frame's state, and when
// every one is refused the answer is "compose": the caller draws the layer into its frames itself.
import { AtomicError, AtomicRequest } from "./atomic.js";
import type { DrmDevice } from "./device.js";
import type { Plane } from "./objects.js";
import type { PropertyValues } from "./property-map.js";
import { fixed16, fourccName, type CrtcId, type FbId, type PlaneId } from "./types.js";

/** A rectangle on the CRTC, in pixels (x and y may be negative: partly off screen). */
export interface OverlayRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A layer as a plane shows it: a framebuffer, its format and size, and where it goes on the CRTC. */
export interface OverlayLayer {
  fb: FbId;
  /** The framebuffer's fourcc (which planes can take it). */
  format: number;
  /** The framebuffer's size in pixels (the whole of it is shown). */
  srcWidth: number;
  srcHeight: number;
  /** Where (and how large: a different size asks the plane to scale) it is shown. */
  rect: OverlayRect;
  /** The plane's zpos, when the plane has a mutable one (default: left as it is; overlays stack above the primary). */
  zpos?: number;
}

/** What placeOverlay decided: the plane the driver accepted, or composition and why. */
export type OverlayPlacement =
  | { kind: "plane"; plane: PlaneId }
  | { kind: "compose"; reason: string };

/** Options of placeOverlay. */
export interface PlaceOverlayOptions {
  /** The test-only commits may include a modeset (the base request sets a mode). */
  allowModeset?: boolean;
  /** Planes another layer of ours already uses (skipped). */
  taken?: ReadonlySet<PlaneId>;
  /**
   * A FAKE for tests: treats every plane as refused without asking the kernel, as a driver that
   * cannot show the layer would answer, so the composition fallback can be exercised on drivers
   * that accept the plane (vkms). The reason then says it was forced.
   */
  forceRefuse?: boolean;
}

/**
 * Overlay planes that could show `format` on `crtc`, best first: type Overlay, able to serve the
 * CRTC, listing the format, and not showing something on another CRTC now (pure).
 */
export function overlayCandidates(planes: readonly Plane[], crtc: CrtcId, format: number, taken: ReadonlySet<PlaneId> = new Set()): Plane[] {
  return planes.filter((p) =>
    p.type === "Overlay" && p.possibleCrtcs.includes(crtc) && p.formats.includes(format) && !taken.has(p.id) &&
    (p.crtc === undefined || p.crtc === crtc));
}

/** Checks a layer's numbers, naming the field at fault (RangeError). */
export function checkOverlayLayer(layer: OverlayLayer): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`overlay layer: ${name} ${v} (an integer of at least ${min})`);
  };
  int("srcWidth", layer.srcWidth, 1);
  int("srcHeight", layer.srcHeight, 1);
  int("rect.width", layer.rect.width, 1);
  int("rect.height", layer.rect.height, 1);
  int("rect.x", layer.rect.x, -0x7fffffff);
  int("rect.y", layer.rect.y, -0x7fffffff);
  if (layer.zpos !== undefined) int("zpos", layer.zpos, 0);
}

/** The plane properties that show `layer` on `crtc`: the whole framebuffer into layer.rect. */
export function overlayPlaneProps(crtc: CrtcId, layer: OverlayLayer): PropertyValues<"plane"> {
  checkOverlayLayer(layer);
  const { rect } = layer;
  return {
    FB_ID: layer.fb, CRTC_ID: crtc,
    SRC_X: fixed16(0), SRC_Y: fixed16(0), SRC_W: fixed16(layer.srcWidth), SRC_H: fixed16(layer.srcHeight),
    CRTC_X: rect.x, CRTC_Y: rect.y, CRTC_W: rect.width, CRTC_H: rect.height,
  };
}

/** Adds `layer` on `plane` to `req` (and its zpos where the plane has a mutable one). */
export function addOverlay(req: AtomicRequest, plane: PlaneId, crtc: CrtcId, layer: OverlayLayer): AtomicRequest {
  req.plane(plane, overlayPlaneProps(crtc, layer));
  if (layer.zpos !== undefined) {
    const props = req.dev.properties("plane", plane);
    if (props.has("zpos") && !props.info("zpos").immutable) req.plane(plane, { zpos: layer.zpos });
  }
  return req;
}

/** Plane properties that take a plane off the screen. */
export const PLANE_OFF: PropertyValues<"plane"> = { FB_ID: undefined, CRTC_ID: undefined };

/**
 * Chooses an overlay plane for `layer` on `crtc`: each candidate is added to a request that `base`
 * fills with the rest of the frame (the primary plane, and the modeset when there is one) and tried
 * with a TEST_ONLY commit; the first the kernel accepts is the answer. When there is no candidate or
 * every one is refused the answer is `compose`, with the kernel's answers in the reason.
 */
export function placeOverlay(
  dev: DrmDevice, crtc: CrtcId, layer: OverlayLayer, base: (req: AtomicRequest) => void, options: PlaceOverlayOptions = {},
): OverlayPlacement {
  checkOverlayLayer(layer);
  const crtcs = dev.resources().crtcs;
  const planes = dev.planes().map((id) => dev.plane(id, crtcs));
  const candidates = overlayCandidates(planes, crtc, layer.format, options.taken);
  if (candidates.length === 0) {
    const overlays = planes.filter((p) => p.type === "Overlay");
    const what = overlays.length === 0 ? "the device has no overlay plane"
      : `none of its overlay planes (${overlays.map((p) => `${p.id}: crtcs ${p.possibleCrtcs.join(",")}${p.crtc !== undefined && p.crtc !== crtc ? `, busy on crtc ${p.crtc}` : ""}`).join("; ")}) is free for crtc ${crtc} with ${fourccName(layer.format)}`;
    return { kind: "compose", reason: `${dev.path}: ${what}` };
  }
  const refusals: string[] = [];
  for (const p of candidates) {
    if (options.forceRefuse) {
      refusals.push(`plane ${p.id}: refused by forceRefuse (a fake refusal for tests)`);
      continue;
    }
    const req = new AtomicRequest(dev);
    base(req);
    addOverlay(req, p.id, crtc, layer);
    try {
      req.commit({ testOnly: true, allowModeset: options.allowModeset });
      return { kind: "plane", plane: p.id };
    } catch (e) {
      if (!(e instanceof AtomicError)) throw e;
      refusals.push(`plane ${p.id}: TEST_ONLY refused with ${e.code}`);
    }
  }
  return { kind: "compose", reason: `${dev.path}: no overlay plane can show the layer on crtc ${crtc} (${refusals.join("; ")})` };
}
