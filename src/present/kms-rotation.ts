// How a presenter over several outputs (kms-multi.ts) turns its picture: by the planes' "rotation"
// property where every output's primary plane has the turn asked for and the kernel's TEST_ONLY takes
// it, else rendered turned: the shared image is the upright picture turned as a whole (its size
// swapped for 90 and 270), its targets carry the matching transform (scenes turn their clip space,
// src/render/pre-rotation.ts), and each output scans out, unturned, the rectangle its view landed on.
import {
  addModeset, AtomicError, AtomicRequest, DrmError, planeRotations, planLayout, turnedSize, turnPlan, viewportPlane,
  type DrmDevice, type FbId, type LayoutPlan, type Output, type OutputLayout, type QuarterTurn, type Rotation,
} from "../drm/index.js";
import type { TargetTransform } from "../render/pre-rotation.js";

/** Who turns the picture: the planes, or our rendering (`rotateBy` "render", or the planes cannot). */
export type TurnedBy = "plane" | "rendered";

/** How the shared image and each output's view of it are laid out for a turn. */
export interface TurnPlan {
  /** Counter-clockwise, as the plane's rotation property counts it (0: upright). */
  readonly turn: QuarterTurn;
  readonly by: TurnedBy;
  /** Why the picture is rendered turned (undefined when the planes turn it, or nothing is turned). */
  readonly reason: string | undefined;
  /** The picture as seen: its size and each output's view of it. */
  readonly upright: LayoutPlan;
  /** The shared image: the upright plan itself (plane) or turned as a whole (rendered); viewports are what each plane scans out. */
  readonly image: LayoutPlan;
  /** The transform the shared image's targets carry (rendered), else 0. */
  readonly transform: TargetTransform;
}

/** The plane's rotation value for a quarter turn. */
export const rotationName = (turn: QuarterTurn): Rotation => `rotate-${turn}` as Rotation;

/**
 * The plan for `turn` over `paths`: by the planes unless `rotateBy` is "render" or a plane lacks the
 * turn (then rendered, with the reason). `rotateBy` "plane" throws DrmError naming a plane that cannot.
 */
export function planTurn(
  drm: DrmDevice, paths: readonly Output[], layout: OutputLayout, turn: QuarterTurn = 0, rotateBy: "auto" | "plane" | "render" = "auto",
): TurnPlan {
  if (![0, 90, 180, 270].includes(turn)) throw new RangeError(`kms: rotate must be 0, 90, 180 or 270, got ${turn}`);
  if (!["auto", "plane", "render"].includes(rotateBy)) throw new RangeError(`kms: rotateBy must be auto, plane or render, got ${rotateBy}`);
  const upright = planLayout(paths.map((p) => turnedSize(p, turn)), layout);
  if (turn === 0) return { turn, by: "plane", reason: undefined, upright, image: upright, transform: 0 };
  if (rotateBy === "render") return rendered(turn, upright, "rotateBy: render");
  for (const p of paths) {
    const can = planeRotations(drm, p.plane.id);
    if (can.includes(rotationName(turn))) continue;
    const why = `plane ${p.plane.id} of ${p.connector.name} cannot turn the picture by ${turn}° (its rotations: ${can.join(", ")})`;
    if (rotateBy === "plane") throw new DrmError(`${p.connector.name}: ${why}`);
    return rendered(turn, upright, why);
  }
  return { turn, by: "plane", reason: undefined, upright, image: upright, transform: 0 };
}

/** The same turn rendered: the shared image is the upright picture turned as a whole. */
export function rendered(turn: QuarterTurn, upright: LayoutPlan, reason: string): TurnPlan {
  return { turn, by: "rendered", reason, upright, image: turnPlan(upright, turn), transform: (turn / 90) as TargetTransform };
}

/**
 * Asks the kernel (TEST_ONLY, nothing changes) whether every output's plane can scan out its view of
 * `fb` turned as `plan` says: undefined when it can, else the kernel's refusal in words.
 */
export function planeTurnRefusal(drm: DrmDevice, paths: readonly Output[], plan: TurnPlan, fb: FbId): string | undefined {
  const req = new AtomicRequest(drm);
  const blobs = paths.map((p) => drm.createModeBlob(p.mode));
  try {
    paths.forEach((p, i) => addModeset(req, p, blobs[i]!, {
      ...viewportPlane(p, fb, plan.image.viewports[i]!, plan.turn), rotation: [rotationName(plan.turn)],
    }));
    req.commit({ testOnly: true, allowModeset: true, preflight: false });
    return undefined;
  } catch (e) {
    if (!(e instanceof AtomicError)) throw e;
    return `the kernel refused the planes' rotation-${plan.turn} (TEST_ONLY: ${e.code})`;
  } finally {
    for (const b of blobs) drm.destroyBlob(b);
  }
}
