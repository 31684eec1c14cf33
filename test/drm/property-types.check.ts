// Compile-time checks of the typed KMS properties, compiled by property-types.test.ts with the
// TypeScript compiler (vitest itself does not type-check). Each `@ts-expect-error` names the error
// its next line must produce; every other line must compile.
import { AtomicRequest, fixed16, type BlobId, type ConnectorId, type CrtcId, type DrmDevice, type FbId, type PlaneId } from "../../src/drm/index.js";

declare const dev: DrmDevice;
declare const plane: PlaneId;
declare const crtc: CrtcId;
declare const connector: ConnectorId;
declare const fb: FbId;
declare const blob: BlobId;
const req = new AtomicRequest(dev);

// What the presenter and the flip benchmark set compiles.
req.plane(plane, {
  FB_ID: fb, CRTC_ID: crtc, SRC_X: fixed16(0), SRC_Y: fixed16(0.5), SRC_W: fixed16(640), SRC_H: fixed16(480),
  CRTC_X: -16, CRTC_Y: 0, CRTC_W: 640, CRTC_H: 480, IN_FENCE_FD: 7, rotation: ["rotate-0", "reflect-x"], "pixel blend mode": "None",
});
req.plane(plane, { FB_ID: undefined, CRTC_ID: undefined });
req.crtc(crtc, { ACTIVE: true, MODE_ID: blob });
req.crtc(crtc, { ACTIVE: false, MODE_ID: undefined });
req.connector(connector, { CRTC_ID: crtc, "Broadcast RGB": "Full" });
req.raw("plane", plane, "VENDOR_SPECIFIC", 1n); // driver-specific properties: named at run time only
dev.properties("plane", plane);

// Misspelt names.
// @ts-expect-error 'FB_IDD' does not exist in type
req.plane(plane, { FB_IDD: fb });
// @ts-expect-error 'ACTIV' does not exist in type
req.crtc(crtc, { ACTIV: true });
// @ts-expect-error '"pixel blend mod"' does not exist in type
req.plane(plane, { "pixel blend mod": "None" });
// A property of another kind of object.
// @ts-expect-error 'FB_ID' does not exist in type
req.crtc(crtc, { FB_ID: fb });
// @ts-expect-error 'MODE_ID' does not exist in type
req.connector(connector, { MODE_ID: blob });

// Ids of the wrong kind.
// @ts-expect-error Type 'CrtcId' is not assignable to type 'FbId'
req.plane(plane, { FB_ID: crtc });
// @ts-expect-error Type 'FbId' is not assignable to type 'CrtcId'
req.plane(plane, { CRTC_ID: fb });
// @ts-expect-error Type 'FbId' is not assignable to type 'BlobId'
req.crtc(crtc, { MODE_ID: fb });
// @ts-expect-error Type 'PlaneId' is not assignable to type 'CrtcId'
req.connector(connector, { CRTC_ID: plane });
// @ts-expect-error Argument of type 'CrtcId' is not assignable to parameter of type 'PlaneId'
req.plane(crtc, { FB_ID: fb });
// @ts-expect-error Type 'number' is not assignable to type 'FbId'
req.plane(plane, { FB_ID: 52 });
// @ts-expect-error Argument of type 'CrtcId' is not assignable to parameter of type 'PlaneId'
dev.properties("plane", crtc);

// Values of the wrong type.
// @ts-expect-error Type 'number' is not assignable to type 'Fixed16'
req.plane(plane, { SRC_W: 640 });
// @ts-expect-error Type 'bigint' is not assignable to type 'Fixed16'
req.plane(plane, { SRC_X: 0n });
// @ts-expect-error Type 'number' is not assignable to type 'boolean | undefined'
req.crtc(crtc, { ACTIVE: 1 });
// @ts-expect-error Type '"rotate-45"' is not assignable to type 'Rotation'
req.plane(plane, { rotation: ["rotate-45"] });
// @ts-expect-error Did you mean '"Pre-multiplied"'?
req.plane(plane, { "pixel blend mode": "Premultiplied" });

// Variable refresh: VRR_ENABLED is a CRTC boolean; vrr_capable is the connector's, immutable, so not settable.
req.crtc(crtc, { VRR_ENABLED: true });
// @ts-expect-error Type 'number' is not assignable to type 'boolean | undefined'
req.crtc(crtc, { VRR_ENABLED: 1 });
// @ts-expect-error 'vrr_capable' does not exist in type
req.connector(connector, { vrr_capable: true });
