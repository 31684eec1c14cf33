import { readFileSync } from "node:fs";
const { Instance } = await import("./src/vk/index.js");
const { KmsBackend } = await import("./src/present/kms.js");
const { FrameLoop } = await import("./src/present/frame-loop.js");
const { Triangle } = await import("./examples/triangle.js");
const gpu = await Instance.create(); const device = gpu.createDevice();
const backend = KmsBackend.open(device, { size: [640, 480] });
const out = new FrameLoop(backend, false); const scene = Triangle.create(out);
console.log("path", backend.path, backend.framebuffers);
for await (const frame of out.frames({ limit: 60 })) {
  scene.update(frame); frame.record((cmd) => scene.draw(cmd, frame));
  if (frame.index === 20) console.log(/plane\[\d+\]: plane-0\n\tcrtc=crtc-0\n\tfb=\d+/.exec(readFileSync("/sys/kernel/debug/dri/0/state","utf8"))[0].replace(/\n/g," "));
}
await backend.idle();
console.log(JSON.stringify(backend.stats()), out.stats.fps, out.stats.cpuMsPerFrame);
scene.destroy(); await out.close(); device.destroy(); gpu.destroy();
