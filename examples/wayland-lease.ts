#!/usr/bin/env node
// wayland-lease: inside a running Wayland session, lease a display from the compositor
// (wp_drm_lease_device_v1) and drive it with the KMS presenter while the compositor keeps the
// others: a kiosk output or a VR headset driven directly from a desktop app. labwc offers every
// DRM output; Mutter those marked <forlease> in monitors.xml; KWin, Sway and Hyprland non-desktop
// outputs (headsets) only.
// Usage: node dist/examples/wayland-lease.js [--list] [--connector NAME] [--frames N (0: until the compositor ends the lease)]
// Prints JSON lines: {"event":"offers",offers}, {"event":"leased",...}, {"event":"done"|"ended",frames,stats}.
import { Instance } from "../src/index.js";
import { DrmDevice } from "../src/drm/index.js";
import { KmsBackend } from "../src/present/kms.js";
import { FrameLoop } from "../src/present/frame-loop.js";
import { Triangle } from "../src/scenes/index.js";
import { Connection, DrmLeaseClient } from "../src/wayland/index.js";

const say = (o: object) => console.log(JSON.stringify(o));
const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

const conn = Connection.connect();
const client = await DrmLeaseClient.open(conn);
try {
  const offers = client.offers();
  say({ event: "offers", offers });
  if (!args.includes("--list")) {
    const name = arg("--connector") ?? offers[0]?.name;
    if (!name) throw new Error("the compositor offers no display for lease");
    const lease = await client.lease([name]);
    const frames = Number(arg("--frames") ?? "300");
    await using gpu = await Instance.create();
    const device = gpu.createDevice();
    try {
      // not a VT of our own and no seat: the compositor keeps input and the session
      const drm = DrmDevice.adopt(lease.takeFd(), `lease of ${name}`);
      const backend = KmsBackend.open(device, { drm, input: false });
      say({ event: "leased", connector: name, mode: backend.stats().mode });
      const out = new FrameLoop(backend, false);
      const scene = Triangle.create(out);
      let shown = 0;
      try {
        for await (const frame of out.frames({ limit: frames > 0 ? frames : undefined })) {
          if (lease.ended) break; // the compositor took the display back
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
          shown++;
        }
        await backend.idle();
        say({ event: lease.ended ? "ended" : "done", frames: shown, stats: backend.stats() });
      } finally {
        scene.destroy();
        await out.close();
        await lease.end(); // the compositor takes the display back
        drm.close(); // the presenter closes only devices it opened itself
      }
    } finally {
      await lease.end();
      device.destroy();
    }
  }
} finally {
  client.close();
  await conn.close();
}
