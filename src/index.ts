// scanout: Vulkan rendering for Node.js that puts frames on screen itself.
export * from "./vk/index.js";
export type { BackendName, RenderTarget, TargetInfo, Pixels, Frame, FrameOptions, FrameStats, ColourStats, Presenter, SwapchainBackend, GpuTime, TimelineSource } from "./present/presenter.js";
export { FrameLoop, FRAMES_IN_FLIGHT } from "./present/frame-loop.js";
export { toRgba, decodeTarget, halfToFloat } from "./present/capture.js";
export { SWAPCHAIN_FORMATS, swapchainFormatOf, usableFormats, type SwapchainFormat } from "./present/colour-formats.js";
export * from "./util/colour.js";
export { BackendUnavailableError, UnavailableError } from "./present/errors.js";
export { HeadlessBackend, createHeadlessPresenter, createOffscreenTarget, type HeadlessOptions } from "./present/headless.js";
export { openPresenter, registerBackend, defaultBackends, type OpenPresenterOptions, type BackendChoice, type BackendOpener } from "./present/open.js";
export { openWaylandPresenter, openKmsPresenter } from "./present/lazy-open.js";
export type { WaylandMode, WaylandPresenterOptions } from "./present/wayland-open.js";
// (types only: the window's services load with the Wayland backend)
export type { DesktopWindow } from "./wayland/desktop-window.js";
export type { Clipboard, ClipboardContent, ClipboardData, ReadOptions } from "./wayland/clipboard.js";
export type { PointerControl, PointerConstraint } from "./wayland/pointer-lock.js";
export type { TextInput, TextPurpose, TextRect } from "./wayland/text-input.js";
export type { ContentType, IconPixels } from "./wayland/window-hints.js";
export type { CursorShape } from "./wayland/cursor.js";
export type { SyncChoice } from "./present/dmabuf-sync.js";
export type { KmsOptions, KmsPath } from "./present/kms.js";
export type { KmsColourOptions } from "./present/kms-colour.js";
export type { KmsMultiOptions } from "./present/kms-options.js";
export { Pacing, PRESENT_MODES, type PresentMode, type PacingOptions, type PacingStats, type PresentedReport } from "./present/pacing.js";
export type { Scene } from "./render/scene.js";
export { ScopedScene } from "./render/scoped-scene.js";
export { runScene } from "./render/run-scene.js";
export { clipTransform, orientedSize, preRotateMatrix, transformName, swapsAxes, type TargetTransform } from "./render/pre-rotation.js";
export { TargetFramebuffers, type TargetFramebuffersOptions } from "./render/target-framebuffers.js";
export { encodePng, writePng, readPngPixels } from "./util/png.js";
export { FrameTracer, TRACKS, type TracePhase, type TraceEvent } from "./util/trace.js";
export { NODE_FLAGS_FOR_FRAME_LOOPS, missingNodeFlags } from "./util/node-flags.js";
export { Listeners } from "./util/listeners.js";
export { logger, addLogSink, setLogLevel, type LogLevel, type LogRecord, type LogSource, type LogSink } from "./util/log.js";
// The Wayland client and KMS layers are their own entry points (scanout/wayland, scanout/drm), and
// the backend classes are in scanout/present, so an app that only renders does not load them:
// openPresenter, openWaylandPresenter, openKmsPresenter and serveStatus load them on first call.
export * from "./observe/index.js";
