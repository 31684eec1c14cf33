// Public surface of the DRM/KMS layer.
export * from "./types.js";
export * from "./properties.js";
export type * from "./property-map.js";
export { DrmError, DrmUnavailableError, PropertyError } from "./error.js";
export { listDevices, pciAddressOfNode, type DeviceInfo, type BusInfo } from "./discovery.js";
export type { PciAddress } from "../sys/dev.js";
export type { Mapping } from "../sys/libc.js";
export { DrmDevice, Cap, ClientCap, type Version, type OpenOptions, type ObjectIds } from "./device.js";
export type { Resources, Connector, Encoder, Crtc, Plane, PlaneType } from "./objects.js";
export { describeConnector, describeCrtc, describeEncoder, describePlane } from "./objects.js";
export type { Framebuffer2, DmabufLayout } from "./buffers.js";
export { AtomicRequest, AtomicError, type CommitOptions, type Commit } from "./atomic.js";
export { DrmEvents, crtcSequence, type CrtcSequence, type FlipEvent, type VblankEvent } from "./events.js";
export { DumbBuffer } from "./dumb.js";
export { saveState, restoreState, guardState, summarizeState, type KmsState, type StateSummary } from "./state.js";
export { takeVt, currentVt, activateVt, activeVt, type VtGuard, type VtSwitchHandlers } from "./vt.js";
export { KmsSession, type SessionLeave } from "./kms-session.js";
export {
  addModeset, chooseOutput, chooseOutputFrom, describeOutput, fullScreenPlane, readDisplayObjects, type DisplayObjects, type Output,
  type OutputOptions,
} from "./output.js";
export { FlipLog } from "./flip-log.js";
export { Syncobj, timelineSupported, type SyncobjOptions } from "./syncobj.js";
export { CursorPlane } from "./cursor-plane.js";
export {
  readDisplayInfo, displayInfoAvailable, displayInfoWarnings, DisplayInfoUnavailableError, type DisplayInfo, type Chromaticity,
} from "./display-info.js";
export {
  listOutputs, outputsFrom, readConnectorExtras, planeRotations, selectOutputs, describeOutputInfo, type OutputInfo, type OutputPlanes, type WritebackInfo,
  type ConnectorExtras,
} from "./outputs.js";
export { OutputWatch, diffOutputs, isHotplugOf, type OutputEvent } from "./hotplug.js";
export type { Uevent } from "../sys/uevent.js";
export { DrmLease, listLessees, leasedObjects, leasesSupported, type LeaseRequest } from "./lease.js";
export {
  encodeHdrOutputMetadata, decodeHdrOutputMetadata, HDR_OUTPUT_METADATA_SIZE, HdrEotf, BT2020_D65, type HdrEotfName, type HdrStaticMetadata,
} from "./hdr-metadata.js";
export {
  sampleLut, encodeColorLut, encodeColorLut32, decodeColorLut, toS3132, fromS3132, encodeCtm, encodeCtm3x4, decodeMatrix, IDENTITY_3X3, ctm3x4,
  type LutEntry,
} from "./colour-blobs.js";
export { BlobBag } from "./colour-blob-bag.js";
export {
  crtcColourSupport, setCrtcColour, setConnectorColour, type CrtcColourSupport, type CrtcColour, type ConnectorColour, type ConnectorColourResult,
} from "./colour-properties.js";
export {
  enableColorPipelines, readColorops, readColorPipelines, describePipeline, planStages, setPlaneColour, clearPlaneColour, type Colorop,
  type ColorPipeline, type ColourStage,
} from "./colorops.js";
export { planKmsColour, applyKmsColour, sinkFromDisplayInfo, HDR10_DEFAULT_METADATA, type KmsEncoding, type KmsColourRequest, type KmsColourPlan } from "./kms-colour.js";
export {
  DRM_FORMAT_XRGB16161616, DRM_FORMAT_ARGB16161616, DRM_FORMAT_XBGR16161616, DRM_FORMAT_ABGR16161616, DRM_FORMAT_XRGB2101010,
  DRM_FORMAT_XBGR2101010, bitsPerChannel, pickScanoutFormat, packXrgb16161616,
} from "./deep-formats.js";
export {
  captureCrtc, WritebackCapture, writebackConnectors, type AttachOptions, type CaptureOptions, type WritebackConnector, type WritebackFrame,
  type WritebackFrame16,
} from "./writeback.js";
export {
  overlayCandidates, overlayPlaneProps, addOverlay, placeOverlay, checkOverlayLayer, PLANE_OFF, type OverlayLayer, type OverlayRect, type OverlayPlacement,
  type PlaceOverlayOptions,
} from "./overlay.js";
export { vrrFrom, readVrr, addVrr, vrrStats, type VrrSupport } from "./vrr.js";
export { planLayout, viewportPlane, turnedSize, turnRect, turnPlan, type OutputLayout, type Viewport, type LayoutPlan, type QuarterTurn } from "./layout.js";
export { assignOutputs, modeFor } from "./output-paths.js";
export { probeConnector } from "./connector-probe.js";
