// KWin 5.27 (virtual backend) on a host without udmabuf: it offers no wl_shm, and our device cannot
// export dmabufs here, so no buffer can reach it. The error must say both and what to do.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Instance } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { MissingGlobalError } from "../../../src/wayland/globals.js";
import { type Kwin, kwinSkipReason, startKwin } from "../../../scripts/testbed/kwin.js";

describe.skipIf(kwinSkipReason)(`KWin 5.27 virtual backend on the host${kwinSkipReason ? ` (skipped: ${kwinSkipReason})` : ""}`, () => {
  let kwin: Kwin;
  let gpu: Instance;
  beforeAll(async () => {
    kwin = await startKwin();
    gpu = await Instance.create({ validation: true, requireValidation: true });
  }, 90_000);
  afterAll(async () => {
    gpu?.destroy();
    await kwin?.stop();
  });

  it("explains why no buffer can reach it: no wl_shm, and no dmabuf from this device", async () => {
    const device = gpu.createDevice();
    const err = await openWaylandPresenter(device, { size: [320, 240], socket: kwin.path, title: "kwin" }, true).then(
      (p) => p.close().then(() => undefined),
      (e: unknown) => e as Error,
    );
    if (!device.destroyed) device.destroy();
    expect(err).toBeInstanceOf(Error);
    console.log(`KWin on the host: ${err!.message}`);
    expect(err!.message).toMatch(/wl_shm/);
    expect(err!.message).toMatch(/dmabuf/);
    expect(err!.message).toMatch(/udmabuf/);
    expect(gpu.validationMessages).toEqual([]);
  });

  it("names the missing global when wl_shm is asked for explicitly", async () => {
    const device = gpu.createDevice();
    const err = await openWaylandPresenter(device, { size: [320, 240], socket: kwin.path, mode: "shm" }, true).then(
      (p) => p.close().then(() => undefined),
      (e: unknown) => e as Error,
    );
    if (!device.destroyed) device.destroy();
    expect(err).toBeInstanceOf(MissingGlobalError);
    expect((err as MissingGlobalError).interfaceName).toBe("wl_shm");
    expect(err!.message).toMatch(/the compositor does not offer wl_shm \(needed for shared-memory buffers/);
  });
});
