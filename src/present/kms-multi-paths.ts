// The outputs a presenter over several outputs drives (kms-multi.ts), checked before anything is
// opened: the names asked for, a mode each offers, a CRTC and primary plane of its own, the rotation
// its plane can do, and a shared image the device can scan out; and the stand-in Output its shared
// image is allocated for.
import {
  assignOutputs, DrmError, DRM_FORMAT_XRGB8888, listOutputs, planeRotations, planLayout, readDisplayObjects, selectOutputs, turnedSize,
  type DrmDevice, type LayoutPlan, type Output, type Plane,
} from "../drm/index.js";
import { close as closeFd } from "../sys/libc.js";
import { rotationName } from "./kms-head.js";
import type { KmsMultiOptions } from "./kms-options.js";
import type { KmsTarget } from "./kms-targets.js";

/** Closes the target's sync file, if it holds one. */
export function closeFence(t: KmsTarget): void {
  if (t.inFence >= 0) closeFd(t.inFence);
  t.inFence = -1;
}

/** The paths of the outputs `options.connectors` names, checked: modes, free CRTCs and planes, rotation, image size. */
export function pathsFor(drm: DrmDevice, options: KmsMultiOptions): Output[] {
  const spec = options.connectors === "all" ? "all" : options.connectors.join(",");
  const infos = selectOutputs(listOutputs(drm).outputs, spec);
  const paths = assignOutputs(readDisplayObjects(drm), infos, { mode: options.mode, format: DRM_FORMAT_XRGB8888 });
  const turn = options.rotate ?? 0;
  if (![0, 90, 180, 270].includes(turn)) throw new RangeError(`kms: rotate must be 0, 90, 180 or 270, got ${turn}`);
  if (turn !== 0)
    for (const p of paths) {
      const can = planeRotations(drm, p.plane.id);
      // rendering turned where the plane cannot is not implemented: say so rather than show it upright
      if (!can.includes(rotationName(turn)))
        throw new DrmError(`${p.connector.name}: plane ${p.plane.id} cannot turn the picture by ${turn}° (its rotations: ${can.join(", ")})`);
    }
  const res = drm.resources();
  const plan = planLayout(paths.map((p) => turnedSize(p, turn)), options.layout ?? "extend");
  if (plan.width > res.maxWidth || plan.height > res.maxHeight)
    throw new DrmError(`kms: the ${options.layout ?? "extend"} image ${plan.width}x${plan.height} is larger than ${drm.path} scans out (${res.maxWidth}x${res.maxHeight})`);
  return paths;
}

/**
 * An Output standing for the shared image, for KmsTargets: the image's size as its mode, and a
 * plane whose modifiers are those every output's plane takes (LINEAR where a plane lists none).
 */
export function sharedImageOutput(paths: readonly Output[], plan: LayoutPlan): Output {
  const first = paths[0]!;
  const lists = paths.map((p) => p.plane.modifiers?.get(DRM_FORMAT_XRGB8888));
  const common = lists.every((l) => l !== undefined) ? lists.reduce((a, b) => a!.filter((m) => b!.includes(m)))! : undefined;
  const plane: Plane = { ...first.plane, modifiers: common ? new Map([[DRM_FORMAT_XRGB8888, common]]) : undefined };
  return { ...first, plane, mode: { ...first.mode, hdisplay: plan.width, vdisplay: plan.height } };
}

