#!/usr/bin/env node
// kms-lessee: presents on a DRM lease fd received from another process over a unix socket
// (SCM_RIGHTS). The lessor passes one end of a socketpair as this process's fd 3 and sends the lease
// fd with one byte. We modeset the leased connector and flip two dumb buffers until the lessor
// revokes the lease (our commit is refused then) or --frames are done. With --writeback-after N, once
// N flips are done we read what our CRTC shows through a writeback connector of the lease (leased
// with it) and say how many pixels differ from the buffer on screen, then go on flipping.
// Usage: node dist/examples/kms-lessee.js [--frames N (0: until revoked)] [--socket-fd 3] [--writeback-after N]
// Prints JSON lines: {"event":"leased",objects,...}, {"event":"ready",...}, {"event":"writeback",...},
// {"event":"done"|"revoked",frames,...}.
import {
  addModeset, AtomicRequest, chooseOutput, DrmDevice, DumbBuffer, fullScreenPlane, leasedObjects, WritebackCapture, type CrtcId,
} from "../src/drm/index.js";
import { UnixSocket } from "../src/sys/socket.js";

const say = (o: object) => console.log(JSON.stringify(o));

/** Receives one descriptor from the socket at `socketFd`. */
async function receiveLeaseFd(socketFd: number): Promise<number> {
  const sock = UnixSocket.adopt(socketFd);
  try {
    for (;;) {
      const { bytes, fds } = await sock.recv();
      if (fds.length > 0) {
        fds.slice(1).forEach((fd) => DrmDevice.adopt(fd, "extra fd").close());
        return fds[0]!;
      }
      if (bytes.length === 0) throw new Error("kms-lessee: the lessor hung up without sending a lease fd");
    }
  } finally {
    sock.close();
  }
}

/** Runs the lessee: returns how many flips it made and whether the lease was revoked under it. */
export async function runLessee(socketFd: number, frames: number, writebackAfter = -1): Promise<{ frames: number; revoked: boolean }> {
  const dev = DrmDevice.adopt(await receiveLeaseFd(socketFd), "lease fd");
  const bufs: DumbBuffer[] = [];
  let n = 0;
  try {
    const res = dev.resources();
    say({ event: "leased", objects: leasedObjects(dev), connectors: res.connectors, crtcs: res.crtcs, planes: dev.planes() });
    const out = chooseOutput(dev);
    const { hdisplay: w, vdisplay: h } = out.mode;
    bufs.push(DumbBuffer.create(dev, w, h), DumbBuffer.create(dev, w, h));
    bufs.forEach((b, i) => b.fillPattern(i));
    const blob = dev.createModeBlob(out.mode);
    await addModeset(new AtomicRequest(dev), out, blob, fullScreenPlane(out, bufs[0].fb)).commit({ allowModeset: true, pageFlipEvent: true }).flip;
    dev.destroyBlob(blob);
    say({ event: "ready", connector: out.connector.name, crtc: out.crtc, plane: out.plane.id, mode: out.mode.name });
    while (frames === 0 || n < frames) {
      if (n === writebackAfter) say(await checkWriteback(dev, out.crtc, bufs[n % 2]!)); // flip n showed bufs[n % 2]
      const back = bufs[(n + 1) % 2];
      try {
        const c = new AtomicRequest(dev).plane(out.plane.id, { FB_ID: back.fb }).commit({ nonblock: true, pageFlipEvent: true, preflight: false });
        await c.flip;
      } catch (e) {
        // a revoked lease leaves this fd with no objects: the commit is refused
        if (leasedObjects(dev).length === 0) return { frames: n, revoked: true };
        throw e;
      }
      n++;
    }
    return { frames: n, revoked: false };
  } finally {
    for (const b of bufs) b.destroy();
    dev.close();
  }
}

/** What `crtc` shows, read through a leased writeback connector, against `shown` (XRGB8888): the pixels that differ. */
async function checkWriteback(dev: DrmDevice, crtc: CrtcId, shown: DumbBuffer): Promise<object> {
  const wb = await WritebackCapture.attach(dev, crtc);
  try {
    const shot = await wb.capture();
    const px = new Uint32Array(shown.pixels.buffer);
    let differing = 0;
    for (let y = 0; y < shot.height; y++)
      for (let x = 0; x < shot.width; x++) {
        const v = px[y * (shown.pitch / 4) + x]!;
        const o = (y * shot.width + x) * 4;
        if (shot.data[o] !== ((v >> 16) & 255) || shot.data[o + 1] !== ((v >> 8) & 255) || shot.data[o + 2] !== (v & 255)) differing++;
      }
    return { event: "writeback", connector: wb.connector.name, width: shot.width, height: shot.height, differing };
  } finally {
    await wb.detach();
  }
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const args = process.argv.slice(2);
  const arg = (name: string, def: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : def;
  };
  runLessee(Number(arg("--socket-fd", "3")), Number(arg("--frames", "0")), Number(arg("--writeback-after", "-1"))).then(
    (r) => say({ event: r.revoked ? "revoked" : "done", frames: r.frames }),
    (e) => {
      console.error(`kms-lessee: ${e instanceof Error ? e.message : e}`);
      process.exitCode = 1;
    },
  );
}
