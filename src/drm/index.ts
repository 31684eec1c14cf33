// Public surface of the DRM/KMS layer.
export * from "./types.js";
export * from "./properties.js";
export { DrmDevice, DrmError, listDevices, PropertySet, Cap, ClientCap } from "./device.js";
export type { DeviceInfo, BusInfo, Resources, Connector, Encoder, Crtc, Plane, PlaneType, Framebuffer2, Version, OpenOptions } from "./device.js";
export { AtomicRequest, AtomicError, type CommitOptions, type Commit } from "./atomic.js";
export { DrmEvents, type FlipEvent, type VblankEvent } from "./events.js";
export { DumbBuffer } from "./dumb.js";
export { saveState, restoreState, guardState, summarizeState, type KmsState, type StateSummary } from "./state.js";
export { takeVt, currentVt, type VtGuard } from "./vt.js";
export { chooseOutput, type Output, type OutputOptions } from "./output.js";
