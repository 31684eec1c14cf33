// scanout: Vulkan rendering for Node.js that puts frames on screen itself.
export * from "./vk/index.js";
export { FrameLoop, FRAMES_IN_FLIGHT } from "./present/frame-loop.js";
export { HeadlessBackend, createHeadlessPresenter, createOffscreenTarget } from "./present/headless.js";
export { openPresenter, registerBackend, defaultBackends } from "./present/open.js";
export { TargetFramebuffers } from "./render/target-framebuffers.js";
export { encodePng, writePng, readPngPixels } from "./util/png.js";
export { FrameTracer } from "./util/trace.js";
export { logger, addLogSink, setLogLevel } from "./util/log.js";
//# sourceMappingURL=index.js.map