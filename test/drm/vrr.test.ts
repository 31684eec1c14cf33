// Variable refresh typing without a display: the connector's vrr_capable and the CRTC's VRR_ENABLED
// read from property sets as a driver declares them, the answer when either is missing or 0, what an
// atomic request gets, and what the presenter's stats say. The VM proves vkms's "absent"
// (test/drm/vrr.vm.test.ts).
import { describe, expect, it } from "vitest";
import { DRM_MODE_PROP, makePropertyInfo, PropertySet, vrrFrom, vrrStats, type PropertyInfo } from "../../src/drm/index.js";

/** A property set as DrmDevice.properties returns it: 0/1 ranges, vrr_capable immutable as the kernel declares it. */
function props(owner: string, values: Record<string, number>): PropertySet {
  const entries = new Map<string, { info: PropertyInfo; raw: bigint }>();
  let id = 100;
  for (const [name, v] of Object.entries(values)) {
    const flags = DRM_MODE_PROP.RANGE | (name === "vrr_capable" ? DRM_MODE_PROP.IMMUTABLE : 0);
    entries.set(name, { info: makePropertyInfo(id++, name, flags, [0n, 1n], []), raw: BigInt(v) });
  }
  return new PropertySet(owner, entries);
}

describe("vrrFrom", () => {
  it("capable, with VRR_ENABLED's current value", () => {
    expect(vrrFrom(props("connector 41", { vrr_capable: 1, CRTC_ID: 60 }), props("crtc 60", { VRR_ENABLED: 0, ACTIVE: 1 }))).toEqual({ state: "capable", enabled: false });
    expect(vrrFrom(props("connector 41", { vrr_capable: 1 }), props("crtc 60", { VRR_ENABLED: 1 }))).toEqual({ state: "capable", enabled: true });
  });
  it("incapable: the driver has VRR, this display does not", () => {
    expect(vrrFrom(props("connector 41", { vrr_capable: 0 }), props("crtc 60", { VRR_ENABLED: 0 })))
      .toEqual({ state: "incapable", reason: "connector 41: vrr_capable is 0 (the display or its link cannot vary the refresh)" });
  });
  it("absent, naming the object and the property it lacks", () => {
    expect(vrrFrom(props("connector 41", { CRTC_ID: 60 }), props("crtc 60", { ACTIVE: 1 })))
      .toEqual({ state: "absent", reason: "connector 41 has no vrr_capable property: the driver has no variable refresh" });
    expect(vrrFrom(props("connector 41", { vrr_capable: 1 }), props("crtc 60", { ACTIVE: 1 })))
      .toEqual({ state: "absent", reason: "crtc 60 has no VRR_ENABLED property: the driver cannot vary its refresh" });
  });
  it("vrr_capable is immutable: an atomic request cannot set it", () => {
    const info = props("connector 41", { vrr_capable: 1 }).info("vrr_capable");
    expect(info.immutable).toBe(true);
    expect(info.kind).toBe("range");
  });
});

describe("vrrStats", () => {
  it("says on/off when capable, else the state and its reason", () => {
    expect(vrrStats({ state: "capable", enabled: false }, true)).toEqual({ vrr: "on" });
    expect(vrrStats({ state: "capable", enabled: true }, false)).toEqual({ vrr: "off" });
    expect(vrrStats({ state: "absent", reason: "r" }, true)).toEqual({ vrr: "absent", vrrReason: "r" });
    expect(vrrStats({ state: "incapable", reason: "q" }, false)).toEqual({ vrr: "incapable", vrrReason: "q" });
  });
});
