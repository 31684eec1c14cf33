// Public surface of the DRM/KMS layer.
export * from "./types.js";
export * from "./properties.js";
export { DrmDevice, DrmError, listDevices, PropertySet, Cap, ClientCap } from "./device.js";
export { AtomicRequest, AtomicError } from "./atomic.js";
export { DrmEvents } from "./events.js";
export { DumbBuffer } from "./dumb.js";
export { saveState, restoreState, guardState, summarizeState } from "./state.js";
export { takeVt, currentVt } from "./vt.js";
export { chooseOutput } from "./output.js";
//# sourceMappingURL=index.js.map