// Automatic backend choice moves on only when a backend cannot work here, and says why at the
// default log level; any other failure reaches the caller.
import { afterEach, describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { addLogSink, BackendUnavailableError, defaultBackends, openKmsPresenter, openPresenter, openWaylandPresenter, registerBackend, type LogRecord } from "../../src/index.js";
import { kmsBackendOpener } from "../../src/present/kms.js";

const gpu = validatedGpu();

function collectLogs(): { records: LogRecord[]; stop: () => void } {
  const records: LogRecord[] = [];
  return { records, stop: addLogSink((r) => records.push(r)) };
}

describe("openPresenter backend choice", () => {
  it("default order: wayland with WAYLAND_DISPLAY, kms only where a DRM card exists, headless last", () => {
    expect(defaultBackends({ WAYLAND_DISPLAY: "wayland-1" }, () => true)).toEqual(["wayland", "headless"]);
    expect(defaultBackends({}, () => true)).toEqual(["kms", "headless"]);
    expect(defaultBackends({}, () => false)).toEqual(["headless"]);
  });

  afterEach(() => registerBackend("kms", kmsBackendOpener));

  it("WAYLAND_DISPLAY naming no socket: one warning names the socket, then headless", async () => {
    const saved = { display: process.env.WAYLAND_DISPLAY, dir: process.env.XDG_RUNTIME_DIR };
    process.env.WAYLAND_DISPLAY = "nope";
    process.env.XDG_RUNTIME_DIR = "/tmp";
    const logs = collectLogs();
    try {
      await using out = await openPresenter(gpu.gpu, { prefer: ["wayland", "headless"], size: [32, 32] });
      expect(out.backend).toBe("headless");
      const warnings = logs.records.filter((r) => r.level === "warn");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]!.message).toContain("/tmp/nope");
    } finally {
      logs.stop();
      process.env.WAYLAND_DISPLAY = saved.display;
      process.env.XDG_RUNTIME_DIR = saved.dir;
      if (saved.display === undefined) delete process.env.WAYLAND_DISPLAY;
      if (saved.dir === undefined) delete process.env.XDG_RUNTIME_DIR;
    }
  });

  it("no DRM device: kms is skipped with the reason, headless opens", async () => {
    const logs = collectLogs();
    try {
      await using out = await openPresenter(gpu.gpu, { prefer: ["kms", "headless"], size: [32, 32] });
      expect(out.backend).toBe("headless");
      expect(logs.records.filter((r) => r.level === "warn").map((r) => r.message).join("\n")).toMatch(/kms.*\/dev\/dri/);
    } finally {
      logs.stop();
    }
  });

  // A bug inside a backend cannot be produced with a real backend on demand, so this injects one.
  it("a backend that fails for any other reason stops the choice with its own error", async () => {
    registerBackend("kms", async () => {
      throw new TypeError("bug in the backend");
    });
    await expect(openPresenter(gpu.gpu, { prefer: ["kms", "headless"], size: [32, 32] })).rejects.toThrow("bug in the backend");
  });

  it("an explicitly chosen backend's unavailability is the caller's error", async () => {
    registerBackend("kms", async () => {
      throw new BackendUnavailableError("kms", "no DRM device in /dev/dri");
    });
    await expect(openPresenter(gpu.gpu, { prefer: ["kms"], size: [32, 32] })).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("a device handed over (ownsDevice) is destroyed when the presenter cannot open, not leaked", async () => {
    const kmsDevice = gpu.gpu.createDevice();
    await expect(openKmsPresenter(kmsDevice, { drm: "/dev/dri/card-none" }, true)).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(kmsDevice.isOpen).toBe(false);
    const waylandDevice = gpu.gpu.createDevice();
    await expect(openWaylandPresenter(waylandDevice, { size: [32, 32], socket: "/tmp/scanout-no-such-socket" }, true)).rejects.toThrow(/scanout-no-such-socket/);
    expect(waylandDevice.isOpen).toBe(false);
    // not handed over: the caller's to keep using
    const kept = gpu.gpu.createDevice();
    await expect(openKmsPresenter(kept, { drm: "/dev/dri/card-none" })).rejects.toBeInstanceOf(BackendUnavailableError);
    expect(kept.isOpen).toBe(true);
    kept.destroy();
  });
});
