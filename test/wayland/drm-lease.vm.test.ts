// The Wayland DRM lease client against a real compositor on a real kernel: labwc from the forky root
// on its DRM backend drives a vkms device of our own with two outputs (configfs, kernel 7.x in the
// VM), and offers both for lease (wp_drm_lease_device_v1; labwc offers every DRM output). We list the
// offers, lease one, and run our Vulkan KMS presenter on the lease fd: its frames flip on the leased
// CRTC while labwc keeps the other output (its own framebuffer there, grim still captures it). A
// second client then sees only the other output offered; an unknown name lists the offers; ending the
// lease gives the display back to labwc. Writeback cannot check the leased output here: labwc is DRM
// master of the device and wlroots leases no writeback connector, so the scanned-out framebuffer ids
// are checked instead, read from a plain (non-master) fd of the device.
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DrmDevice, leasedObjects, type CrtcId } from "../../src/drm/index.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { KmsBackend } from "../../src/present/kms.js";
import type { Pixels } from "../../src/present/presenter.js";
import { Triangle } from "../../src/scenes/index.js";
import { openFdCount } from "../../src/sys/libc.js";
import { Instance, type Device } from "../../src/vk/index.js";
import { Connection } from "../../src/wayland/connection.js";
import { DrmLeaseClient, type LeaseOffer } from "../../src/wayland/drm-lease.js";
import { type ForkyBed, forkyCompositorSkipReason, startForky } from "../helpers/forky-bed.js";
import { outputsTopology, VkmsConfigfsDevice, vkmsConfigfsSkipReason } from "../helpers/vkms-configfs.js";

const skipWhy = vkmsConfigfsSkipReason() ?? forkyCompositorSkipReason("labwc") ?? (existsSync("/dev/udmabuf") ? undefined : "no /dev/udmabuf: not the VM");
if (skipWhy) console.warn(`[drm-lease.vm.test] skipped: ${skipWhy}`);

const FRAMES = 30;

describe.skipIf(!!skipWhy)("Wayland DRM lease client (VM: labwc on a two-output vkms device)", () => {
  let vkms: VkmsConfigfsDevice;
  let bed: ForkyBed | undefined;
  let bedWhy: string | undefined;
  let observer: DrmDevice;
  let gpu: Instance;
  let device: Device;
  let conn: Connection;
  let client: DrmLeaseClient;
  const names: string[] = [];

  beforeAll(async () => {
    vkms = await VkmsConfigfsDevice.create("scanout-lease", outputsTopology(2, { writeback: false }));
    names.push(vkms.connector(0).name, vkms.connector(1).name);
    try {
      bed = await startForky("labwc", { backend: "drm", env: { WLR_DRM_DEVICES: vkms.card } });
    } catch (e) {
      bedWhy = `labwc did not start on ${vkms.card}: ${e instanceof Error ? e.message.split("\n").slice(0, 12).join(" | ") : e}`;
      console.warn(`[drm-lease.vm.test] ${bedWhy}`);
      return;
    }
    observer = DrmDevice.open(vkms.card); // labwc is master: this fd only reads
    gpu = await Instance.create({ validation: true, requireValidation: true });
    device = gpu.createDevice();
    conn = Connection.connect({ socket: bed.path });
    client = await DrmLeaseClient.open(conn);
  });
  afterAll(async () => {
    client?.close();
    await conn?.close();
    device?.destroy();
    gpu?.destroy();
    observer?.close();
    if (bed) console.log(`[drm-lease.vm.test] labwc log tail:\n${bed.log().split("\n").slice(-15).join("\n")}`);
    await bed?.stop();
    vkms?.destroy();
  });

  /** The plane showing a framebuffer on the CRTC driving `connector`, read through the plain fd. */
  function shownOn(connectorName: string): { crtc: number; fb: number | undefined } {
    const res = observer.resources();
    const c = res.connectors.map((id) => observer.connector(id)).find((x) => x.name === connectorName)!;
    const crtc = observer.encoder(c.encoder!, res.crtcs).crtc!;
    const plane = observer.planes().map((p) => observer.plane(p, res.crtcs)).find((p) => p.crtc === crtc && p.type === "Primary");
    return { crtc, fb: plane?.fb };
  }

  it("labwc offers both outputs for lease, with their connector ids and device", (ctx) => {
    if (bedWhy) return ctx.skip(bedWhy);
    const offers = client.offers();
    console.log(`[drm-lease.vm.test] offers: ${JSON.stringify(offers)}`);
    expect(offers.map((o) => o.name).sort()).toEqual([...names].sort());
    for (const [i, name] of names.entries()) {
      const o = offers.find((x) => x.name === name)!;
      expect(o.connectorId).toBe(vkms.connector(i).id);
      expect(o.device).toBe(vkms.card);
    }
  });

  it("an unknown connector name lists the offers", async (ctx) => {
    if (bedWhy) return ctx.skip(bedWhy);
    await expect(client.lease(["HDMI-A-9"])).rejects.toThrow(new RegExp(`offers no connector named HDMI-A-9 for lease \\(offers: .*${names[0]} \\(connector \\d+ on ${vkms.card}\\)`));
  });

  it("our KMS presenter flips on the leased output while labwc keeps the other; ending the lease gives it back", async (ctx) => {
    if (bedWhy) return ctx.skip(bedWhy);
    const [leasedName, keptName] = [names[1]!, names[0]!];
    const fds = openFdCount();
    const kept = shownOn(keptName);
    expect(kept.fb, `labwc shows a framebuffer on ${keptName}`).toBeDefined();

    const lease = await client.lease([leasedName]);
    expect(lease.connectors.map((c: LeaseOffer) => c.name)).toEqual([leasedName]);
    const drm = DrmDevice.adopt(lease.takeFd(), `lease of ${leasedName} from labwc`);
    // the lease fd sees the leased connector, its CRTC and plane(s) only
    const leased = leasedObjects(drm);
    expect(leased).toContain(vkms.connector(1).id);
    expect(drm.resources().connectors).toEqual([vkms.connector(1).id]);

    // a second client sees only the output still on offer
    const conn2 = Connection.connect({ socket: bed!.path });
    const client2 = await DrmLeaseClient.open(conn2);
    expect(client2.offers().map((o) => o.name)).toEqual([keptName]);
    client2.close();
    await conn2.close();

    const backend = KmsBackend.open(device, { drm, size: [640, 480], input: false });
    const out = new FrameLoop(backend, false);
    const scene = Triangle.create(out);
    let last: Promise<Pixels> | undefined;
    let during: { crtc: number; fb: number | undefined } | undefined;
    try {
      for await (const frame of out.frames({ limit: FRAMES })) {
        scene.update(frame);
        frame.record((cmd) => scene.draw(cmd, frame));
        if (frame.index === FRAMES - 1) last = frame.capture();
      }
      await backend.idle();
      during = shownOn(leasedName);
      const stats = backend.stats();
      console.log(`[drm-lease.vm.test] on the lease: ${JSON.stringify(stats)}`);
      expect(stats.flips).toBe(FRAMES);
      expect(stats.path).toBe("prime");
      expect(backend.framebuffers, "the leased CRTC scans out one of our framebuffers").toContain(during.fb);
      expect(observer.crtc(during.crtc as CrtcId).mode?.name, "our modeset on the leased CRTC").toBe("640x480");
      const px = await last!;
      expect([px.width, px.height]).toEqual([640, 480]);
      // labwc still drives the other output with its own framebuffer
      const other = shownOn(keptName);
      expect(other.fb).toBeDefined();
      expect(backend.framebuffers).not.toContain(other.fb);
      expect(other.crtc).not.toBe(during.crtc);
      const shot = await bed!.screenshot();
      console.log(`[drm-lease.vm.test] grim while leased: ${shot.width}x${shot.height}`);
      expect(bed!.alive()).toBe(true);
    } finally {
      scene.destroy();
      await out.close(); // restores what the lease fd showed when we took it
    }
    await lease.end(); // the compositor revokes the lease and takes the display back
    expect(leasedObjects(drm), "revoked: the lease fd holds nothing any more").toEqual([]);
    drm.close(); // the presenter was given this device, so it is ours to close
    // labwc takes the display back and offers it again
    for (let i = 0; i < 100 && !client.offers().some((o) => o.name === leasedName); i++) await conn.roundtrip().then(() => new Promise((r) => setTimeout(r, 100)));
    expect(client.offers().map((o) => o.name).sort()).toEqual([...names].sort());
    expect(bed!.alive()).toBe(true);
    expect(openFdCount()).toBe(fds);
    expect(gpu.validationMessages).toEqual([]);
  });
});
