// scanout/present: the swapchain backends as classes, for apps that build their own FrameLoop
// around one (most apps use openPresenter from the package root instead).
export { FrameLoop, FRAMES_IN_FLIGHT, openFrameLoop } from "./frame-loop.js";
export { HeadlessBackend, createHeadlessPresenter, type HeadlessOptions } from "./headless.js";
export { KmsBackend, openKmsPresenter, type KmsOptions, type KmsPath } from "./kms.js";
export { chooseKmsColour, SCANOUT_FORMATS, type KmsColourChoice, type KmsColourInputs, type KmsColourOptions, type ScanoutFormat } from "./kms-colour.js";
export { KmsMultiBackend, type KmsMultiOptions } from "./kms-multi.js";
export { openKmsMultiPresenter } from "./kms-multi-open.js";
export { KmsMultiSeat, type MultiSeatHost } from "./kms-multi-seat.js";
export type { TurnPlan, TurnedBy } from "./kms-rotation.js";
export { OutputHead, type HeadHost } from "./kms-head.js";
export type { CompletedFlip } from "./kms-flips.js";
export { WaylandWindowBackend, type WaylandPacingOptions } from "./wayland-window-backend.js";
export { WaylandShmBackend, type WaylandShmOptions } from "./wayland-shm.js";
export { WaylandDmabufBackend, type WaylandDmabufOptions } from "./wayland-dmabuf.js";
export { openWaylandPresenter, type WaylandMode, type WaylandPresenterOptions } from "./wayland-open.js";
export type { SwapchainBackend, RenderTarget, Presenter, Frame, FrameOptions, FrameStats } from "./presenter.js";
export { Pacing, PRESENT_MODES, type PresentMode, type PacingOptions, type PacingStats, type PresentedReport } from "./pacing.js";
export { FlipTimeoutError } from "./pacing-kms.js";
export { PresentQueue, type DisplaySink, type PresentQueueOptions, type Woke } from "./present-queue.js";
export { FrameScheduler, type FrameSteps, type ScheduleOptions, type SchedulerState } from "./frame-scheduler.js";
export type { LoopTurn } from "../sys/loop-turn.js";
export { UsageError } from "./errors.js";
export type { KmsTarget } from "./kms-targets.js";
export { KmsOverlay, checkOverlayImage, premultipliedArgb, type KmsOverlayOptions, type OverlayImage } from "./kms-overlay.js";
export { KmsFeatures } from "./kms-features.js";
