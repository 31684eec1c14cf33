// Paths for several outputs at once (assignOutputs): each gets its own CRTC and primary plane, the one
// driving it now where it can; a mode an output lacks lists its modes; no CRTC left names the output.
// Made-up devices, no kernel DRM needed (the VM test drives real ones: test/present/kms-outputs.vm.test.ts).
import { describe, expect, it } from "vitest";
import {
  assignOutputs, DrmError, DRM_FORMAT_XRGB8888, DRM_MODE_TYPE_PREFERRED, modeFor, outputsFrom, type Connector, type ConnectorId, type CrtcId,
  type DisplayObjects, type EncoderId, type Mode, type Plane, type PlaneId,
} from "../../src/drm/index.js";

const mode = (w: number, h: number, preferred = false): Mode => ({
  clock: 65000, hdisplay: w, hsyncStart: w + 24, hsyncEnd: w + 160, htotal: w + 320, hskew: 0,
  vdisplay: h, vsyncStart: h + 3, vsyncEnd: h + 9, vtotal: h + 38, vscan: 0, vrefresh: 60, flags: 0,
  type: preferred ? DRM_MODE_TYPE_PREFERRED : 0, name: `${w}x${h}`,
});
const connector = (id: number, typeId: number, encoders: number[], encoder?: number): Connector => ({
  id: id as ConnectorId, type: "DP", typeId, name: `DP-${typeId}`, connection: "connected", mmWidth: 0, mmHeight: 0,
  modes: [mode(1024, 768, true), mode(800, 600)], encoders: encoders as EncoderId[], encoder: encoder as EncoderId | undefined,
});
const plane = (id: number, crtcs: number[], crtc?: number): Plane =>
  ({ id: id as PlaneId, type: "Primary", crtc: crtc as CrtcId | undefined, fb: undefined, possibleCrtcs: crtcs as CrtcId[], formats: [DRM_FORMAT_XRGB8888], modifiers: undefined });

/** Three connectors whose encoders can all reach CRTCs 60 and 61; DP-3 is shown on 61 now; a third CRTC 62 only DP-3 reaches. */
const objects: DisplayObjects = {
  device: "/dev/dri/card1",
  connectors: [connector(41, 1, [50]), connector(42, 2, [50]), connector(43, 3, [51], 51)],
  encoders: [
    { id: 50 as EncoderId, type: "TMDS", crtc: undefined, possibleCrtcs: [60 as CrtcId, 61 as CrtcId] },
    { id: 51 as EncoderId, type: "TMDS", crtc: 61 as CrtcId, possibleCrtcs: [60 as CrtcId, 61 as CrtcId, 62 as CrtcId] },
  ],
  planes: [plane(70, [60]), plane(71, [61], 61), plane(72, [62])],
};
const infos = outputsFrom(objects).outputs;

describe("assignOutputs", () => {
  const line = (paths: ReturnType<typeof assignOutputs>) => paths.map((p) => `${p.connector.name} crtc ${p.crtc} plane ${p.plane.id} encoder ${p.encoder} ${p.mode.name}`);
  it("gives each output its own CRTC and primary plane, keeping the CRTC that drives it now", () => {
    expect(line(assignOutputs(objects, [infos[2]!, infos[0]!]))).toEqual(["DP-3 crtc 61 plane 71 encoder 51 1024x768", "DP-1 crtc 60 plane 70 encoder 50 1024x768"]);
  });
  it("moves an output off its current CRTC when an output before it took that one", () => {
    expect(line(assignOutputs(objects, infos, { mode: "800x600" }))).toEqual([
      "DP-1 crtc 60 plane 70 encoder 50 800x600", "DP-2 crtc 61 plane 71 encoder 50 800x600", "DP-3 crtc 62 plane 72 encoder 51 800x600",
    ]);
  });
  it("names the output no free CRTC can drive, and what took them", () => {
    expect(() => assignOutputs(objects, [infos[2]!, infos[0]!, infos[1]!]))
      .toThrow(new DrmError("no free CRTC with a primary plane supporting XR24 can drive DP-2 (its CRTCs 60,61; taken by the outputs before it: 61,60)"));
  });
  it("a mode the output lacks lists the modes it has", () => {
    expect(() => modeFor(infos[0]!, "640x480")).toThrow(/^mode 640x480 is not offered by DP-1; it offers 1024x768@\d+\.\d\d, 800x600@\d+\.\d\d$/);
    expect(() => assignOutputs(objects, [infos[1]!], { mode: "1920x1080@60" })).toThrow(/mode 1920x1080@60 is not offered by DP-2; it offers 1024x768/);
  });
});
