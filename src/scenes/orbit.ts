// An orbit camera driven by input events: drag with the left button to turn around the model,
// the wheel (or a touchpad's scroll) to move closer or further. Starts at the mesh scene's fixed
// three-quarter view (camera.ts), so an untouched orbit renders exactly what the scene did before.
import { mat4, vec3 } from "gl-matrix";
import { BTN_LEFT, type InputEvent } from "../input/events.js";
import { EYE } from "./camera.js";

const FOV_Y = Math.PI / 4;
const NEAR = 0.1;
const FAR = 10;
const ORIGIN = vec3.create();
const UP = vec3.fromValues(0, 1, 0);
/** Elevation stays short of straight above or below, where lookAt's up vector degenerates. */
const MAX_ELEVATION = Math.PI / 2 - 0.05;
const BASE_AZIMUTH = Math.atan2(EYE[0], EYE[2]);
const BASE_ELEVATION = Math.asin(EYE[1] / vec3.length(EYE));

/** Options of OrbitCamera. */
export interface OrbitOptions {
  /** Radians turned per surface pixel dragged (default 0.01). */
  radiansPerPixel?: number;
  /** Distance factor per wheel click (default 1.1: each click down moves 10% further). */
  zoomPerClick?: number;
  /** Nearest and furthest distance, as factors of the fitted distance (default 0.5 and 3). */
  minZoom?: number;
  maxZoom?: number;
}

/**
 * Camera state for TexturedMesh.camera: azimuth and elevation around the model and a zoom factor,
 * changed by handle(event). `version` counts changes so a scene recomputes only when needed.
 */
export class OrbitCamera {
  /** Radians turned about the vertical axis from the starting view (positive: the camera moves right). */
  azimuth = 0;
  /** Radians raised from the starting view (positive: the camera moves up). */
  elevation = 0;
  /** Distance as a factor of the distance that fits the model (1: fitted; more: further away). */
  zoom = 1;
  /** Increases at every change (drag, wheel, set). */
  version = 0;
  private dragging = false;
  private lastX = 0;
  private lastY = 0;
  private readonly radiansPerPixel: number;
  private readonly zoomPerClick: number;
  private readonly minZoom: number;
  private readonly maxZoom: number;
  private readonly eye = vec3.create();

  constructor(options: OrbitOptions = {}) {
    this.radiansPerPixel = options.radiansPerPixel ?? 0.01;
    this.zoomPerClick = options.zoomPerClick ?? 1.1;
    this.minZoom = options.minZoom ?? 0.5;
    this.maxZoom = options.maxZoom ?? 3;
  }

  /** Whether a drag is in progress (left button held since a button-down on the surface). */
  get isDragging(): boolean {
    return this.dragging;
  }

  /**
   * Applies one input event: left button down starts a drag, pointer or touch motion during it turns
   * the camera, button up (or leave, or touch up) ends it, scroll zooms. Returns true when the view changed.
   */
  handle(ev: InputEvent): boolean {
    switch (ev.type) {
      case "button-down":
        if (ev.button !== BTN_LEFT) return false;
        this.startDrag(ev.x, ev.y);
        return false;
      case "touch-down":
        this.startDrag(ev.x, ev.y);
        return false;
      case "pointer-motion":
      case "touch-motion": {
        if (!this.dragging) return false;
        const dx = ev.x - this.lastX;
        const dy = ev.y - this.lastY;
        this.lastX = ev.x;
        this.lastY = ev.y;
        return this.turn(-dx * this.radiansPerPixel, dy * this.radiansPerPixel);
      }
      case "button-up":
        if (ev.button === BTN_LEFT) this.dragging = false;
        return false;
      case "pointer-leave":
      case "touch-up":
      case "touch-cancel":
        this.dragging = false;
        return false;
      case "scroll": {
        const steps = ev.clicksY !== 0 ? ev.clicksY : ev.dy / 15; // touchpads: ~15 px per click
        if (steps === 0) return false;
        return this.setZoom(this.zoom * Math.pow(this.zoomPerClick, steps));
      }
      default:
        return false;
    }
  }

  /** Turns by `azimuth` and `elevation` radians (elevation is kept short of the poles). Returns true when the view changed. */
  turn(azimuth: number, elevation: number): boolean {
    const el = Math.max(-MAX_ELEVATION - BASE_ELEVATION, Math.min(MAX_ELEVATION - BASE_ELEVATION, this.elevation + elevation));
    if (azimuth === 0 && el === this.elevation) return false;
    this.azimuth += azimuth;
    this.elevation = el;
    this.version++;
    return true;
  }

  /** Sets the zoom factor, clamped to the options' range. Returns true when it changed. */
  setZoom(zoom: number): boolean {
    const z = Math.max(this.minZoom, Math.min(this.maxZoom, zoom));
    if (z === this.zoom) return false;
    this.zoom = z;
    this.version++;
    return true;
  }

  /**
   * The view-projection for `aspect` (width / height) in Vulkan clip space, as camera.viewProjection
   * computes it but from the orbit's position: the fitted distance (the unit sphere fills the
   * narrower field of view) times `zoom`.
   */
  viewProjection(aspect: number, out: mat4, scratch: mat4 = mat4.create()): mat4 {
    const halfFovX = Math.atan(aspect * Math.tan(FOV_Y / 2));
    const distance = (1 / Math.sin(Math.min(FOV_Y / 2, halfFovX))) * this.zoom;
    const az = BASE_AZIMUTH + this.azimuth;
    const el = BASE_ELEVATION + this.elevation;
    vec3.set(this.eye, Math.cos(el) * Math.sin(az) * distance, Math.sin(el) * distance, Math.cos(el) * Math.cos(az) * distance);
    mat4.lookAt(out, this.eye, ORIGIN, UP);
    mat4.perspectiveZO(scratch, FOV_Y, aspect, NEAR, Math.max(FAR, distance + 2));
    scratch[5] = -scratch[5]; // Vulkan's clip-space y points down
    return mat4.multiply(out, scratch, out);
  }

  private startDrag(x: number, y: number): void {
    this.dragging = true;
    this.lastX = x;
    this.lastY = y;
  }
}
