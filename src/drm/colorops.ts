// Plane colour pipelines (kernel 6.19+, DRM_CLIENT_CAP_PLANE_COLOR_PIPELINE): a plane's
// COLOR_PIPELINE enum names the pipelines it offers, each value the id of the pipeline's first
// colour operation (a DRM_MODE_OBJECT_COLOROP object); each colorop has an immutable TYPE, an
// immutable NEXT (the following colorop, 0 at the end), and per type BYPASS, CURVE_1D_TYPE, DATA
// (blob), SIZE, MULTIPLIER. A pipeline is used by setting COLOR_PIPELINE and programming each of its
// colorops in the same atomic commit; stages not needed are bypassed.
import { SysError } from "../sys/libc.js";
import type { AtomicRequest } from "./atomic.js";
import type { BlobBag } from "./colour-blob-bag.js";
import { ctm3x4, encodeCtm3x4 } from "./colour-blobs.js";
import type { DrmDevice } from "./device.js";
import { DrmError } from "./error.js";
import type { PropertySet } from "./properties.js";
import type { Curve1dType } from "./property-map.js";
import type { ColoropId, PlaneId } from "./types.js";

/** One colour operation of a pipeline, as the driver declares it. */
export interface Colorop {
  id: ColoropId;
  /** "1D Curve", "1D LUT", "3x4 Matrix", "Multiplier", "3D LUT" (or a newer kernel's type name). */
  type: string;
  /** Whether the stage can be skipped (BYPASS); stages that cannot must be programmed. */
  canBypass: boolean;
  /** "1D Curve" stages: the curves CURVE_1D_TYPE offers. */
  curves: string[];
  /** LUT stages: their entry count (SIZE). */
  size: number | undefined;
}

/** A colour pipeline of a plane: its enum name, the value COLOR_PIPELINE takes (the first colorop's id) and its stages in order. */
export interface ColorPipeline {
  name: string;
  id: ColoropId;
  ops: Colorop[];
}

/** One stage of a conversion asked of a pipeline: a named 1D curve, or a 3x4 matrix (row-major, 4th column offsets; 9 values: a 3x3 without offsets). */
export type ColourStage = { curve: Curve1dType } | { matrix: readonly number[] };

/**
 * Turns on the plane colour pipeline client cap (needs atomic). Returns undefined when it is on, else why not: a kernel
 * before 6.19 does not know the cap (EINVAL), a driver without pipelines refuses it (EOPNOTSUPP).
 */
export function enableColorPipelines(dev: DrmDevice): string | undefined {
  if (!dev.atomic) return `${dev.path}: colour pipelines need atomic modesetting`;
  try {
    dev.setClientCap("planeColorPipeline", 1);
    return undefined;
  } catch (e) {
    if (!(e instanceof SysError)) throw e;
    if (e.code === "EOPNOTSUPP") return `${dev.path}: no plane has a colour pipeline (the driver offers none)`;
    if (e.code === "EINVAL") return `${dev.path}: the kernel has no plane colour pipeline API (DRM_CLIENT_CAP_PLANE_COLOR_PIPELINE needs Linux 6.19 or later)`;
    throw e;
  }
}

/** The stages of one colorop chain, following NEXT from `first`. Throws DrmError for a loop or an object that is not a colorop. */
export function readColorops(dev: DrmDevice, first: ColoropId): Colorop[] {
  const ops: Colorop[] = [];
  const seen = new Set<number>();
  for (let id: ColoropId | undefined = first; id !== undefined; ) {
    if (seen.has(id)) throw new DrmError(`colour pipeline starting at colorop ${first} loops back to colorop ${id}`);
    seen.add(id);
    const p: PropertySet = dev.properties("colorop", id);
    ops.push({
      id,
      type: p.enumName("TYPE") ?? `type ${p.raw("TYPE")}`,
      canBypass: p.has("BYPASS"),
      curves: p.has("CURVE_1D_TYPE") ? (p.info("CURVE_1D_TYPE").enums ?? []).map((e) => e.name) : [],
      size: p.has("SIZE") ? p.number("SIZE") : undefined,
    });
    const next: number = p.number("NEXT");
    id = next === 0 ? undefined : (next as ColoropId);
  }
  return ops;
}

/** The colour pipelines a plane offers ("Bypass" left out), with their stages. Empty when the plane has none or the cap is off (see enableColorPipelines). */
export function readColorPipelines(dev: DrmDevice, plane: PlaneId): ColorPipeline[] {
  const props = dev.properties("plane", plane);
  if (!props.has("COLOR_PIPELINE")) return [];
  return (props.info("COLOR_PIPELINE").enums ?? [])
    .filter((e) => e.value !== 0n)
    .map((e) => ({ name: e.name, id: Number(e.value) as ColoropId, ops: readColorops(dev, Number(e.value) as ColoropId) }));
}

/** One line per pipeline, e.g. "Color Pipeline 42: 1D Curve(sRGB EOTF|sRGB Inverse EOTF) -> 3x4 Matrix -> ...". */
export function describePipeline(p: ColorPipeline): string {
  return `${p.name}: ${p.ops.map((o) => `${o.type}${o.curves.length ? `(${o.curves.join("|")})` : ""}${o.size ? `[${o.size}]` : ""}`).join(" -> ")}`;
}

/** How `stages` map onto a pipeline's colorops in order (undefined: bypassed), or why they cannot. Pure: tested without a device. */
export function planStages(pipeline: ColorPipeline, stages: readonly ColourStage[]): { plan: (ColourStage | undefined)[] } | { reason: string } {
  const plan: (ColourStage | undefined)[] = [];
  let next = 0;
  for (const op of pipeline.ops) {
    const s = stages[next];
    const fits = s !== undefined && ("curve" in s ? op.type === "1D Curve" && op.curves.includes(s.curve) : op.type === "3x4 Matrix");
    if (fits) {
      plan.push(s);
      next++;
    } else if (op.canBypass) plan.push(undefined);
    else return { reason: `${pipeline.name}: colorop ${op.id} (${op.type}) cannot be bypassed and is not the next stage asked for` };
  }
  if (next < stages.length) {
    const s = stages[next]!;
    return { reason: `${pipeline.name} has no stage left for ${"curve" in s ? `the curve "${s.curve}"` : "a 3x4 matrix"} (stage ${next + 1} of ${stages.length}); it offers ${describePipeline(pipeline)}` };
  }
  return { plan };
}

/**
 * Adds to `req` what makes `plane` convert its pixels through `stages` (e.g. sRGB EOTF, a matrix, sRGB inverse
 * EOTF) on the first of `pipelines` that can; matrix blobs go into `blobs`. Returns the pipeline used, or the reason
 * none fits (nothing is added then).
 */
export function setPlaneColour(
  req: AtomicRequest, plane: PlaneId, pipelines: readonly ColorPipeline[], stages: readonly ColourStage[], blobs: BlobBag,
): { pipeline: ColorPipeline } | { reason: string } {
  if (pipelines.length === 0) return { reason: `plane ${plane} has no colour pipeline` };
  const reasons: string[] = [];
  for (const pipeline of pipelines) {
    const r = planStages(pipeline, stages);
    if ("reason" in r) {
      reasons.push(r.reason);
      continue;
    }
    req.plane(plane, { COLOR_PIPELINE: pipeline.id });
    pipeline.ops.forEach((op, i) => {
      const s = r.plan[i];
      if (!s) return void req.colorop(op.id, { BYPASS: true });
      if ("curve" in s) req.colorop(op.id, { BYPASS: false, CURVE_1D_TYPE: s.curve });
      else req.colorop(op.id, { BYPASS: false, DATA: blobs.make(encodeCtm3x4(s.matrix.length === 9 ? ctm3x4(s.matrix) : s.matrix)) });
    });
    return { pipeline };
  }
  return { reason: reasons.join("; ") };
}

/** Adds to `req` what turns a plane's colour pipeline off (COLOR_PIPELINE "Bypass"). */
export function clearPlaneColour(req: AtomicRequest, plane: PlaneId): void {
  req.plane(plane, { COLOR_PIPELINE: 0 });
}
