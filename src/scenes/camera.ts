// The mesh scene's camera: a model of any size and offset is centred and scaled into the unit
// sphere, turned upright when it was authored Z-up, and seen from a three-quarter view above it.
import { mat4, vec3 } from "gl-matrix";

/** Which axis of the model file points up: "y" (glTF, most exporters' default) or "z" (Blender, CAD). */
export type UpAxis = "y" | "z";

/** Radians per second the model turns about its vertical axis. */
export const ROTATION_SPEED = 0.5;
/** Camera: direction it looks from (front-right, above) and vertical field of view. */
const EYE_DIRECTION = vec3.normalize(vec3.create(), [0.55, 0.6, 1]);
const FOV_Y = Math.PI / 4;
/** Distance at which the unit sphere just fits the vertical field of view (a landscape view). */
const EYE_DISTANCE = 1 / Math.sin(FOV_Y / 2);
const NEAR = 0.1;
const FAR = 10;
/** Direction towards the light, world space. */
export const LIGHT = vec3.normalize(vec3.create(), [0.4, 1, 0.6]);

/** Where the camera is for landscape targets (the model is fitted into the unit sphere at the origin). */
export const EYE = vec3.scale(vec3.create(), EYE_DIRECTION, EYE_DISTANCE);
const eye = vec3.create();
const ORIGIN = vec3.create();
const UP = vec3.fromValues(0, 1, 0);

/** The model matrix at `time`: the fitted model turned about the vertical axis. */
export function modelMatrix(time: number, fit: mat4, out: mat4): mat4 {
  mat4.fromYRotation(out, time * ROTATION_SPEED);
  return mat4.multiply(out, out, fit);
}

/**
 * The camera's view-projection for `aspect` (width / height) in Vulkan clip space: y down, depth
 * 0..1. The camera backs off until the unit sphere fits the narrower field of view, so a portrait
 * target shows the whole model too.
 */
export function viewProjection(aspect: number, out: mat4, scratch: mat4 = mat4.create()): mat4 {
  const halfFovX = Math.atan(aspect * Math.tan(FOV_Y / 2));
  const distance = 1 / Math.sin(Math.min(FOV_Y / 2, halfFovX));
  mat4.lookAt(out, vec3.scale(eye, EYE_DIRECTION, distance), ORIGIN, UP);
  mat4.perspectiveZO(scratch, FOV_Y, aspect, NEAR, FAR);
  scratch[5] = -scratch[5]; // Vulkan's clip-space y points down
  return mat4.multiply(out, scratch, out);
}

/**
 * Centres and scales a mesh's bounding box into the unit sphere at the origin, then turns a Z-up
 * model so that its +Z points along world +Y (a -90° turn about X), so it stands upright.
 */
export function fitMatrix(mesh: { bounds: { min: ArrayLike<number>; max: ArrayLike<number> } }, up: UpAxis = "y"): mat4 {
  const { min, max } = mesh.bounds;
  const centre = vec3.fromValues((min[0]! + max[0]!) / 2, (min[1]! + max[1]!) / 2, (min[2]! + max[2]!) / 2);
  const radius = vec3.distance([min[0]!, min[1]!, min[2]!], [max[0]!, max[1]!, max[2]!]) / 2 || 1;
  const fit = up === "z" ? mat4.fromXRotation(mat4.create(), -Math.PI / 2) : mat4.create();
  mat4.scale(fit, fit, [1 / radius, 1 / radius, 1 / radius]);
  return mat4.translate(fit, fit, vec3.negate(centre, centre));
}
