// The outputs list (outputsFrom) on a made-up device: names, EDID facts, preferred modes, the CRTCs
// and planes that can drive each connector, writeback connectors apart. No kernel DRM needed.
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { displayInfoAvailable } from "../../src/drm/display-info.js";
import {
  DRM_FORMAT_XRGB8888, DRM_MODE_TYPE_PREFERRED, outputsFrom, selectOutputs, type Connector, type ConnectorId, type CrtcId, type DisplayObjects,
  type EncoderId, type Mode, type Plane, type PlaneId,
} from "../../src/drm/index.js";
import { buildEdid } from "../helpers/edid.js";

const mode = (w: number, h: number, preferred = false): Mode => ({
  clock: 65000, hdisplay: w, hsyncStart: w + 24, hsyncEnd: w + 160, htotal: w + 320, hskew: 0,
  vdisplay: h, vsyncStart: h + 3, vsyncEnd: h + 9, vtotal: h + 38, vscan: 0, vrefresh: 60, flags: 0,
  type: preferred ? DRM_MODE_TYPE_PREFERRED : 0, name: `${w}x${h}`,
});
const vga = mode(640, 480);
const fhd = mode(1920, 1080, true);
const connector = (c: Pick<Connector, "id" | "type" | "typeId" | "connection" | "modes" | "encoders" | "encoder">): Connector =>
  ({ ...c, name: `${c.type}-${c.typeId}`, mmWidth: 0, mmHeight: 0 });
const plane = (id: number, type: Plane["type"], crtcs: number[]): Plane =>
  ({ id: id as PlaneId, type, crtc: undefined, fb: undefined, possibleCrtcs: crtcs as CrtcId[], formats: [DRM_FORMAT_XRGB8888], modifiers: undefined });

/** Two CRTCs; DP-2 reaches both, HDMI-A-1 only the second; a writeback connector on both. */
const objects: DisplayObjects = {
  device: "/dev/dri/card0",
  connectors: [
    connector({ id: 40 as ConnectorId, type: "Writeback", typeId: 1, connection: "unknown", modes: [], encoders: [53 as EncoderId], encoder: undefined }),
    connector({ id: 41 as ConnectorId, type: "DP", typeId: 2, connection: "connected", modes: [vga, fhd], encoders: [50 as EncoderId], encoder: 50 as EncoderId }),
    connector({ id: 42 as ConnectorId, type: "HDMI-A", typeId: 1, connection: "disconnected", modes: [], encoders: [51 as EncoderId], encoder: undefined }),
  ],
  encoders: [
    { id: 50 as EncoderId, type: "TMDS", crtc: 60 as CrtcId, possibleCrtcs: [60 as CrtcId, 61 as CrtcId] },
    { id: 51 as EncoderId, type: "TMDS", crtc: undefined, possibleCrtcs: [61 as CrtcId] },
    { id: 53 as EncoderId, type: "Virtual", crtc: undefined, possibleCrtcs: [60 as CrtcId, 61 as CrtcId] },
  ],
  planes: [plane(70, "Primary", [60]), plane(71, "Primary", [61]), plane(72, "Overlay", [61]), plane(73, "Cursor", [60])],
};

describe("outputsFrom", () => {
  it("lists each output with its name, preferred mode, reachable CRTCs and planes; writeback apart", () => {
    const { outputs, writeback } = outputsFrom(objects);
    expect(outputs.map((o) => o.name)).toEqual(["DP-2", "HDMI-A-1"]);
    const [dp, hdmi] = outputs;
    expect(dp.preferredMode).toBe(fhd); // flagged preferred, though listed second
    expect(dp.connected).toBe(true);
    expect(dp.crtcs).toEqual([60, 61]);
    expect(dp.currentCrtc).toBe(60);
    expect(dp.planes).toEqual({ primary: [70, 71], overlay: [72], cursor: [73] });
    expect(hdmi.crtcs).toEqual([61]);
    expect(hdmi.planes).toEqual({ primary: [71], overlay: [72], cursor: [] });
    expect(hdmi.preferredMode).toBeUndefined();
    expect(dp.make).toBeUndefined(); // no EDID given
    expect(writeback).toEqual([{ name: "Writeback-1", connector: objects.connectors[0], crtcs: [60, 61] }]);
    expect(inspect(hdmi)).toBe("Output HDMI-A-1 disconnected, crtcs 61");
  });

  it.skipIf(!displayInfoAvailable())("takes make, model and serial from the EDID", () => {
    const edid = buildEdid({ pnp: "QQQ", productCode: 7, name: "Wall panel 3", serial: "W3-0001" });
    const { outputs } = outputsFrom(objects, new Map([[41 as ConnectorId, { edid, nonDesktop: true }]]));
    expect([outputs[0].model, outputs[0].serial, outputs[0].nonDesktop]).toEqual(["Wall panel 3", "W3-0001", true]);
    expect(outputs[0].display?.eotfs.traditionalSdr).toBe(true);
    expect(inspect(outputs[0])).toMatch(/^Output DP-2 connected .*Wall panel 3 1920x1080@\d+\.\d\d, crtcs 60,61$/);
  });

  it("keeps an output whose EDID is garbage, saying why it has no make", () => {
    const { outputs } = outputsFrom(objects, new Map([[41 as ConnectorId, { edid: new Uint8Array(128) }]]));
    expect(outputs[0].make).toBeUndefined();
    expect(outputs[0].displayInfoError).toMatch(/could not be parsed|libdisplay-info/);
  });
});

describe("selectOutputs (--connector)", () => {
  const { outputs } = outputsFrom(objects);
  it("takes all connected outputs, or the named ones in order", () => {
    expect(selectOutputs(outputs, "all").map((o) => o.name)).toEqual(["DP-2"]);
    expect(selectOutputs(outputs, " DP-2 ").map((o) => o.name)).toEqual(["DP-2"]);
  });
  it("names what exists when a name is unknown, and refuses an empty or repeated list", () => {
    expect(() => selectOutputs(outputs, "DP-2,HDMI-A-9")).toThrow("no output named HDMI-A-9; there are: DP-2 (connected), HDMI-A-1 (disconnected)");
    expect(() => selectOutputs(outputs, "HDMI-A-1")).toThrow(/output HDMI-A-1 has nothing connected/);
    expect(() => selectOutputs(outputs, ",")).toThrow(/expected all or NAME\[,NAME...\]/);
    expect(() => selectOutputs(outputs, "DP-2,DP-2")).toThrow(/named twice/);
    expect(() => selectOutputs(outputsFrom({ ...objects, connectors: [objects.connectors[2]!] }).outputs, "all")).toThrow(/no connected output/);
  });
});
