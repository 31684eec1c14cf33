// The outputs a presenter over several outputs drives (kms-multi.ts), checked before anything is
// opened: the names asked for, a mode each offers, a CRTC and primary plane of its own, the rotation
// (by the plane, or rendered), and a shared image the device can scan out; and the stand-in Output its shared
// image is allocated for.
import {
  assignOutputs, DrmError, DRM_FORMAT_XRGB8888, listOutputs, readDisplayObjects, selectOutputs, type DrmDevice, type LayoutPlan, type Output, type Plane,
} from "../drm/index.js";
import type { Device } from "../vk/index.js";
import { close as closeFd } from "../sys/libc.js";
import { planeTurnRefusal, planTurn, rendered, type TurnPlan } from "./kms-rotation.js";
import type { KmsMultiOptions } from "./kms-options.js";
import { KmsTargets, type KmsTarget } from "./kms-targets.js";
import { SCANOUT_XRGB8888, type ScanoutFormat } from "./kms-colour.js";

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
  // checks rotate and rotateBy (a plane that cannot turn with rotateBy "plane" throws) and the image's size either way
  const plan = planTurn(drm, paths, options.layout ?? "extend", options.rotate, options.rotateBy);
  checkImageSize(drm, plan.image, options.layout ?? "extend");
  return paths;
}

/** Throws DrmError when the shared image is larger than the device scans out. */
export function checkImageSize(drm: DrmDevice, plan: LayoutPlan, layout: string): void {
  const res = drm.resources();
  if (plan.width > res.maxWidth || plan.height > res.maxHeight)
    throw new DrmError(`kms: the ${layout} image ${plan.width}x${plan.height} is larger than ${drm.path} scans out (${res.maxWidth}x${res.maxHeight})`);
}

/**
 * An Output standing for the shared image, for KmsTargets: the image's size as its mode, and a
 * plane whose modifiers are those every output's plane takes (LINEAR where a plane lists none).
 */
export function sharedImageOutput(paths: readonly Output[], plan: LayoutPlan, format = DRM_FORMAT_XRGB8888): Output {
  const first = paths[0]!;
  const lists = paths.map((p) => p.plane.modifiers?.get(format));
  const common = lists.every((l) => l !== undefined) ? lists.reduce((a, b) => a!.filter((m) => b!.includes(m)))! : undefined;
  const plane: Plane = { ...first.plane, modifiers: common ? new Map([[format, common]]) : undefined };
  return { ...first, plane, mode: { ...first.mode, hdisplay: plan.width, vdisplay: plan.height } };
}


/**
 * The turn and the shared image's `count` targets. Where the planes are to turn the picture, the
 * kernel is asked first (TEST_ONLY with the first target): if it refuses, the picture is rendered
 * turned in new targets instead (with rotateBy "plane", DrmError says why not).
 */
export function sharedTargets(
  device: Device, drm: DrmDevice, paths: readonly Output[], count: number, options: KmsMultiOptions, format: ScanoutFormat = SCANOUT_XRGB8888,
): { turning: TurnPlan; targets: KmsTargets } {
  const layout = options.layout ?? "extend";
  let turning = planTurn(drm, paths, layout, options.rotate, options.rotateBy);
  const make = () => new KmsTargets(device, drm, sharedImageOutput(paths, turning.image, format.drm), count, options.forceCopy ?? false, format, turning.transform);
  let targets = make();
  if (turning.by === "plane" && turning.turn !== 0) {
    let refusal: string | undefined;
    try {
      refusal = planeTurnRefusal(drm, paths, turning, targets.targets[0]!.fb);
      if (refusal && options.rotateBy === "plane") throw new DrmError(`kms: ${refusal}`);
    } catch (e) {
      targets.close();
      throw e;
    }
    if (refusal) {
      targets.close();
      turning = rendered(turning.turn, turning.upright, refusal);
      checkImageSize(drm, turning.image, layout);
      targets = make();
    }
  }
  return { turning, targets };
}
