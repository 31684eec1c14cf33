// Host-side tests of the DRM layer: pure decoding, printing, output choice and the "no DRM device"
// path. No kernel DRM needed.
import { existsSync } from "node:fs";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DRM_IOCTL } from "../../src/drm/ioctl.js";
import {
  chooseOutputFrom, decodeMode, decodeProperty, describeConnector, describeCrtc, describeEncoder, describePlane, DrmDevice,
  DrmError, DrmUnavailableError, encodeMode, encodeProperty, fixed16, fourcc, fourccName, fromFixed16, fullScreenPlane, listDevices,
  makePropertyInfo,
  modeRefresh, parseInFormats, pickMode, PropertySet, DRM_FORMAT_XRGB8888, type Connector, type ConnectorId, type CrtcId,
  type DisplayObjects, type EncoderId, type FbId, type Mode, type Plane, type PlaneId,
} from "../../src/drm/index.js";

const PROP = { RANGE: 2, IMMUTABLE: 4, ENUM: 8, BLOB: 16, BITMASK: 32, OBJECT: 64, SIGNED_RANGE: 128, ATOMIC: 0x80000000 };

describe("ioctl numbers", () => {
  it("match the kernel's _IOWR encoding", () => {
    expect(DRM_IOCTL.VERSION).toBe(0xc0406400);
    expect(DRM_IOCTL.SET_MASTER).toBe(0x641e);
    expect(DRM_IOCTL.MODE_GETRESOURCES).toBe(0xc04064a0);
    expect(DRM_IOCTL.MODE_ADDFB2).toBe(0xc06864b8);
    expect(DRM_IOCTL.MODE_ATOMIC).toBe(0xc03864bc);
    expect(DRM_IOCTL.SET_CLIENT_CAP).toBe(0x4010640d);
  });
});

describe("16.16 fixed point", () => {
  it("round-trips plane source coordinates", () => {
    expect(fixed16(1024)).toBe(1024n << 16n);
    expect(fixed16(0.5)).toBe(0x8000n);
    expect(fromFixed16(0x18000n)).toBe(1.5);
    expect(() => fixed16(-1)).toThrow(/out of range/);
    expect(() => fixed16(70000)).toThrow(/out of range/);
  });
  it("is used for SRC_* range properties, which refuse plain numbers", () => {
    const src = makePropertyInfo(12, "SRC_W", PROP.RANGE | PROP.ATOMIC, [0n, 0xffffffffn], []);
    expect(src.kind).toBe("fixed16");
    expect(decodeProperty(src, 800n << 16n)).toEqual({ kind: "fixed16", value: 800 });
    expect(encodeProperty(src, fixed16(640.25))).toBe(0x2800000n + 0x4000n);
    // pixels given where 16.16 is due (possible from JavaScript): an error, not a 1/65536-size source
    expect(() => encodeProperty(src, 800, "plane 31")).toThrow("property SRC_W of plane 31 wants 16.16 fixed point: fixed16(x)");
    const crtcW = makePropertyInfo(13, "CRTC_W", PROP.RANGE, [0n, 0x7fffffffn], []);
    expect(crtcW.kind).toBe("range");
    expect(decodeProperty(crtcW, 800n)).toEqual({ kind: "range", value: 800n });
  });
});

describe("typed property values", () => {
  const type = makePropertyInfo(8, "type", PROP.ENUM | PROP.IMMUTABLE, [0n, 1n, 2n], [
    { name: "Overlay", value: 0n }, { name: "Primary", value: 1n }, { name: "Cursor", value: 2n },
  ]);
  const rotation = makePropertyInfo(9, "rotation", PROP.BITMASK, [], [
    { name: "rotate-0", value: 0n }, { name: "rotate-90", value: 1n }, { name: "reflect-x", value: 4n },
  ]);
  const fbId = makePropertyInfo(17, "FB_ID", PROP.OBJECT | PROP.ATOMIC, [0xfbfbfbfbn], []);
  const modeId = makePropertyInfo(20, "MODE_ID", PROP.BLOB | PROP.ATOMIC, [], []);
  const crtcX = makePropertyInfo(21, "CRTC_X", PROP.SIGNED_RANGE | PROP.ATOMIC, [BigInt.asUintN(64, -2147483648n), 2147483647n], []);
  const active = makePropertyInfo(22, "ACTIVE", PROP.RANGE | PROP.ATOMIC, [0n, 1n], []);

  it("decodes enums, bitmasks, objects, blobs and signed ranges", () => {
    expect(decodeProperty(type, 1n)).toEqual({ kind: "enum", value: 1n, name: "Primary" });
    expect(decodeProperty(rotation, 0b10001n)).toEqual({ kind: "bitmask", value: 0b10001n, names: ["rotate-0", "reflect-x"] });
    expect(decodeProperty(fbId, 47n)).toEqual({ kind: "object", objectType: "framebuffer", id: 47 });
    expect(decodeProperty(fbId, 0n)).toEqual({ kind: "object", objectType: "framebuffer", id: undefined });
    expect(decodeProperty(modeId, 0n)).toEqual({ kind: "blob", blob: undefined });
    expect(decodeProperty(crtcX, BigInt.asUintN(64, -5n))).toEqual({ kind: "signedRange", value: -5n });
    expect(fbId.atomicOnly).toBe(true);
  });

  it("encodes and validates values with errors that name the property", () => {
    expect(encodeProperty(rotation, ["rotate-90", "reflect-x"])).toBe(0b10010n);
    expect(encodeProperty(crtcX, -5)).toBe(BigInt.asUintN(64, -5n));
    expect(encodeProperty(fbId, undefined)).toBe(0n);
    expect(encodeProperty(active, true)).toBe(1n);
    expect(encodeProperty(active, false)).toBe(0n);
    expect(() => encodeProperty(type, "Primary", "plane 32")).toThrow(/type of plane 32 is immutable/);
    expect(() => encodeProperty(active, 2, "crtc 38")).toThrow(/ACTIVE of crtc 38: 2 is outside \[0, 1\]/);
    expect(() => encodeProperty(rotation, ["rotate-45"])).toThrow(/"rotate-45" is not one of rotate-0, rotate-90, reflect-x/);
    expect(() => encodeProperty(active, 0.5)).toThrow(/not an integer/);
  });
});

/** Crafts a struct drm_format_modifier_blob. */
function inFormatsBlob(formats: number[], mods: { mask: bigint; offset: number; modifier: bigint }[]): Uint8Array {
  const fOff = 24;
  const mOff = fOff + formats.length * 4 + 4; // odd padding on purpose: offsets must be honoured
  const b = Buffer.alloc(mOff + mods.length * 24);
  b.writeUInt32LE(1, 0);
  b.writeUInt32LE(formats.length, 8);
  b.writeUInt32LE(fOff, 12);
  b.writeUInt32LE(mods.length, 16);
  b.writeUInt32LE(mOff, 20);
  formats.forEach((f, i) => b.writeUInt32LE(f, fOff + i * 4));
  mods.forEach((m, i) => {
    b.writeBigUInt64LE(m.mask, mOff + i * 24);
    b.writeUInt32LE(m.offset, mOff + i * 24 + 8);
    b.writeBigUInt64LE(m.modifier, mOff + i * 24 + 16);
  });
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

describe("IN_FORMATS blob", () => {
  const XR24 = fourcc("XR24"), AR24 = fourcc("AR24"), NV12 = fourcc("NV12");
  const Y_TILED = 0x0100000000000002n;

  it("maps each format to its modifiers", () => {
    const m = parseInFormats(inFormatsBlob([XR24, AR24, NV12], [
      { mask: 0b111n, offset: 0, modifier: 0n },
      { mask: 0b011n, offset: 0, modifier: Y_TILED },
    ]));
    expect(fourccName(XR24)).toBe("XR24");
    expect(XR24).toBe(DRM_FORMAT_XRGB8888);
    expect(m.get(XR24)).toEqual([0n, Y_TILED]);
    expect(m.get(AR24)).toEqual([0n, Y_TILED]);
    expect(m.get(NV12)).toEqual([0n]);
  });

  it("honours the offset of a modifier's format window", () => {
    const formats = Array.from({ length: 70 }, (_, i) => 0x1000 + i);
    const m = parseInFormats(inFormatsBlob(formats, [{ mask: 1n | (1n << 5n), offset: 64, modifier: 7n }]));
    expect(m.get(0x1000 + 64)).toEqual([7n]);
    expect(m.get(0x1000 + 69)).toEqual([7n]);
    expect(m.get(0x1000)).toEqual([]);
  });

  it("rejects blobs whose counts overrun the data or name missing formats", () => {
    const good = Buffer.from(inFormatsBlob([XR24], [{ mask: 1n, offset: 0, modifier: 0n }]));
    const lying = Buffer.from(good);
    lying.writeUInt32LE(1000, 16); // count_modifiers
    expect(() => parseInFormats(lying)).toThrow(/1000 modifiers at .* overrun/);
    expect(() => parseInFormats(inFormatsBlob([XR24], [{ mask: 0b10n, offset: 0, modifier: 0n }]))).toThrow(/format index 1 of 1/);
    expect(() => parseInFormats(new Uint8Array(10))).toThrow(/header needs 24/);
    const v2 = Buffer.from(good);
    v2.writeUInt32LE(2, 0);
    expect(() => parseInFormats(v2)).toThrow(/version 2/);
  });
});

const xga: Mode = {
  clock: 65000, hdisplay: 1024, hsyncStart: 1048, hsyncEnd: 1184, htotal: 1344, hskew: 0,
  vdisplay: 768, vsyncStart: 771, vsyncEnd: 777, vtotal: 806, vscan: 0, vrefresh: 60, flags: 0xa, type: 0x48, name: "1024x768",
};
const vga: Mode = { ...xga, clock: 25175, hdisplay: 640, htotal: 800, vdisplay: 480, vtotal: 525, type: 0x40, name: "640x480" };

describe("modes", () => {
  it("encode/decode round-trips struct drm_mode_modeinfo", () => {
    const b = encodeMode(xga);
    expect(b.length).toBe(68);
    expect(decodeMode(b)).toEqual(xga);
    expect(modeRefresh(xga)).toBeCloseTo(60.004, 2);
  });
  it("picks preferred, WxH and WxH@Hz", () => {
    expect(pickMode([vga, xga])).toBe(xga);
    expect(pickMode([vga, xga], "640x480")).toBe(vga);
    expect(pickMode([vga, xga], "640x480@60")).toBe(vga);
    expect(pickMode([vga, xga], "640x480@75")).toBeUndefined();
    expect(pickMode([vga, xga], "123x45")).toBeUndefined();
    expect(() => pickMode([vga], "huge")).toThrow(/expected WIDTHxHEIGHT/);
  });
});

describe("printing in the REPL (util.inspect)", () => {
  it("a decoded mode prints as WxH@Hz", () => {
    const fullHd: Mode = {
      ...xga, clock: 148500, hdisplay: 1920, hsyncStart: 2008, hsyncEnd: 2052, htotal: 2200,
      vdisplay: 1080, vsyncStart: 1084, vsyncEnd: 1089, vtotal: 1125, name: "1920x1080",
    };
    const decoded = decodeMode(encodeMode(fullHd));
    expect(inspect(decoded)).toBe("1920x1080@60.00");
    expect(inspect([decodeMode(encodeMode(vga))])).toBe("[ 640x480@59.94 ]");
    // the printing is invisible to equality, spreading and JSON
    expect(decoded).toEqual(fullHd);
    expect(Object.keys(decoded)).toEqual(Object.keys(fullHd));
    expect(JSON.stringify(decoded)).toBe(JSON.stringify(fullHd));
  });

  it("connectors, encoders, CRTCs and planes print with what identifies them", () => {
    expect(describeConnector(display.connectors[2]!)).toBe("Connector HDMI-A-1 connected 2 modes");
    expect(describeConnector(display.connectors[1]!)).toBe("Connector DP-1 disconnected 0 modes");
    expect(describeConnector(display.connectors[3]!)).toBe("Connector HDMI-A-2 connected 1 mode");
    expect(describeEncoder(display.encoders[1]!)).toBe("Encoder 51 TMDS crtc 61");
    expect(describeCrtc({ id: 61 as CrtcId, index: 1, fb: 80 as FbId, x: 0, y: 0, mode: xga, gammaSize: 256 })).toBe("Crtc 61 1024x768@60.00 fb 80");
    expect(describeCrtc({ id: 60 as CrtcId, index: 0, fb: undefined, x: 0, y: 0, mode: undefined, gammaSize: 0 })).toBe("Crtc 60 off");
    expect(describePlane(display.planes[1]!)).toBe("Plane 71 Primary crtc 61 fb 80, 1 format");
    expect(describePlane(display.planes[2]!)).toBe("Plane 72 Overlay off, 2 formats");
  });

  it("a property set prints its values by name", () => {
    const active = makePropertyInfo(22, "ACTIVE", PROP.RANGE | PROP.ATOMIC, [0n, 1n], []);
    const modeId = makePropertyInfo(20, "MODE_ID", PROP.BLOB | PROP.ATOMIC, [], []);
    const set = new PropertySet("crtc 61", new Map([["ACTIVE", { info: active, raw: 1n }], ["MODE_ID", { info: modeId, raw: 95n }]]));
    expect(inspect(set)).toBe("PropertySet crtc 61 {ACTIVE=1, MODE_ID=blob 95}");
  });
});

const XR24 = DRM_FORMAT_XRGB8888;
const connector = (c: Pick<Connector, "id" | "type" | "typeId" | "connection" | "modes" | "encoders" | "encoder">): Connector =>
  ({ ...c, name: `${c.type}-${c.typeId}`, mmWidth: 0, mmHeight: 0 });
const plane = (p: Pick<Plane, "id" | "type" | "crtc" | "possibleCrtcs" | "formats"> & { fb?: number }): Plane =>
  ({ ...p, fb: p.fb as FbId | undefined, modifiers: undefined });
/** A made-up display: a writeback connector, an empty DP port and two HDMI monitors, two CRTCs. */
const display: DisplayObjects = {
  device: "/dev/dri/card0",
  connectors: [
    connector({ id: 40 as ConnectorId, type: "Writeback", typeId: 1, connection: "unknown", modes: [], encoders: [53 as EncoderId], encoder: undefined }),
    connector({ id: 41 as ConnectorId, type: "DP", typeId: 1, connection: "disconnected", modes: [], encoders: [50 as EncoderId], encoder: undefined }),
    connector({ id: 42 as ConnectorId, type: "HDMI-A", typeId: 1, connection: "connected", modes: [xga, vga], encoders: [51 as EncoderId], encoder: 51 as EncoderId }),
    connector({ id: 43 as ConnectorId, type: "HDMI-A", typeId: 2, connection: "connected", modes: [xga], encoders: [52 as EncoderId], encoder: undefined }),
  ],
  encoders: [
    { id: 50 as EncoderId, type: "TMDS", crtc: undefined, possibleCrtcs: [60 as CrtcId] },
    // already driving HDMI-A-1 from the second CRTC, though the first would do too
    { id: 51 as EncoderId, type: "TMDS", crtc: 61 as CrtcId, possibleCrtcs: [60 as CrtcId, 61 as CrtcId] },
    { id: 52 as EncoderId, type: "TMDS", crtc: undefined, possibleCrtcs: [60 as CrtcId, 61 as CrtcId] },
    { id: 53 as EncoderId, type: "Virtual", crtc: undefined, possibleCrtcs: [60 as CrtcId, 61 as CrtcId] },
  ],
  planes: [
    plane({ id: 70 as PlaneId, type: "Primary", crtc: undefined, possibleCrtcs: [60 as CrtcId], formats: [XR24] }),
    plane({ id: 71 as PlaneId, type: "Primary", crtc: 61 as CrtcId, fb: 80, possibleCrtcs: [61 as CrtcId], formats: [XR24] }),
    plane({ id: 72 as PlaneId, type: "Overlay", crtc: undefined, possibleCrtcs: [60 as CrtcId, 61 as CrtcId], formats: [XR24, fourcc("AB24")] }),
  ],
};

describe("chooseOutput", () => {
  it("takes the first connected display, its preferred mode, and the CRTC already driving it", () => {
    const out = chooseOutputFrom(display);
    expect(out.connector.name).toBe("HDMI-A-1");
    expect(out.mode).toBe(xga); // preferred, though listed first here anyway
    expect([out.encoder, out.crtc, out.plane.id]).toEqual([51, 61, 71]);
    expect(inspect(out)).toBe("Output HDMI-A-1 1024x768@60.00 crtc 61 plane 71");
    // what lights it: the whole framebuffer, unscaled, over the whole mode
    expect(fullScreenPlane(out, 90 as FbId)).toEqual({
      FB_ID: 90, CRTC_ID: 61, SRC_X: 0n, SRC_Y: 0n, SRC_W: 1024n << 16n, SRC_H: 768n << 16n, CRTC_X: 0, CRTC_Y: 0, CRTC_W: 1024, CRTC_H: 768,
    });
  });

  it("honours a connector name, a mode and a size", () => {
    const second = chooseOutputFrom(display, { connector: "HDMI-A-2" });
    // no CRTC bound yet: the encoder's first possible CRTC, and the primary plane that can reach it
    expect([second.connector.id, second.encoder, second.crtc, second.plane.id]).toEqual([43, 52, 60, 70]);
    expect(chooseOutputFrom(display, { mode: "640x480" }).mode).toBe(vga);
    expect(chooseOutputFrom(display, { mode: "640x480@60" }).mode).toBe(vga);
    expect(chooseOutputFrom(display, { size: [640, 480] }).mode).toBe(vga);
    expect(chooseOutputFrom(display, { size: [800, 600] }).mode).toBe(xga); // no such mode: the preferred one
    expect(chooseOutputFrom(display, { size: [800, 600], mode: "640x480" }).mode).toBe(vga); // mode wins
  });

  it("names what was asked for and what there is when it cannot choose", () => {
    expect(() => chooseOutputFrom(display, { connector: "HDMI-A-3" }))
      .toThrow("no connector named HDMI-A-3 on /dev/dri/card0 (it has DP-1, HDMI-A-1, HDMI-A-2)");
    expect(() => chooseOutputFrom(display, { connector: "DP-1" })).toThrow("connector DP-1 has nothing connected");
    expect(() => chooseOutputFrom(display, { mode: "1234x567" }))
      .toThrow("mode 1234x567 is not supported by HDMI-A-1; it offers 1024x768@60.00, 640x480@59.94");
    expect(() => chooseOutputFrom(display, { mode: "640x480@75" })).toThrow(/^mode 640x480@75 is not supported by HDMI-A-1/);
    expect(() => chooseOutputFrom(display, { format: fourcc("AB24") }))
      .toThrow("no CRTC with a primary plane supporting AB24 can drive HDMI-A-1");
  });

  it("no connected display at all is 'unavailable' (automatic backend choice moves on)", () => {
    const error = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      throw new Error("did not throw");
    };
    const dark = error(() => chooseOutputFrom({ ...display, connectors: display.connectors.slice(0, 2) }));
    expect(dark).toBeInstanceOf(DrmUnavailableError);
    expect((dark as DrmUnavailableError).reason).toBe("no connected display on /dev/dri/card0 (connectors: DP-1 disconnected)");
    expect((dark as Error).message).toBe("kms: no connected display on /dev/dri/card0 (connectors: DP-1 disconnected)");
    // a connector that does not exist is the caller's mistake, not the machine's
    const misspelt = error(() => chooseOutputFrom(display, { connector: "HDMI-A-3" }));
    expect(misspelt).toBeInstanceOf(DrmError);
    expect(misspelt).not.toBeInstanceOf(DrmUnavailableError);
  });
});

const hostHasDrm = existsSync("/dev/dri");
describe("without DRM", () => {
  it.skipIf(hostHasDrm)("says clearly that there is no DRM device (this host has no /dev/dri)", () => {
    expect(listDevices()).toEqual([]);
    expect(() => DrmDevice.open()).toThrow(/no DRM device: \/dev\/dri does not exist \(this kernel has no DRM driver loaded\)/);
  });
  it("names the node it cannot open", () => {
    expect(() => DrmDevice.open("/dev/dri/card99")).toThrow(/cannot open DRM device \/dev\/dri\/card99: no such device \(ENOENT\)/);
    expect(() => DrmDevice.open("/dev/dri/card99")).toThrow(DrmUnavailableError);
  });
});
