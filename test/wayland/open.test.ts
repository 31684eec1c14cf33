// The Wayland openers for automatic backend choice: "no compositor here" (WAYLAND_DISPLAY unset, no
// socket, connection refused) is a BackendUnavailableError naming the socket; any other failure, a
// bug or a protocol error, comes out as itself and stops the choice.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { BackendUnavailableError, openPresenter } from "../../src/index.js";
import { openWaylandPresenter, type WaylandMode } from "../../src/present/wayland-open.js";
import { CompositorUnreachableError, Connection, WaylandProtocolError } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { WlShm } from "../../src/wayland/protocol/wayland.js";
import { WireError } from "../../src/wayland/wire.js";
import { westonAvailable } from "../../scripts/testbed/weston.js";
import { westonFixture } from "./weston-fixture.js";

const fixture = validatedGpu();
const SIZE = [64, 64] as const;
const saved = { display: process.env.WAYLAND_DISPLAY, dir: process.env.XDG_RUNTIME_DIR };
function restoreEnv() {
  for (const [key, value] of [["WAYLAND_DISPLAY", saved.display], ["XDG_RUNTIME_DIR", saved.dir]] as const)
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
}

/** How opening in `mode` fails (it must fail). */
async function openError(mode: WaylandMode, extra: { title?: string } = {}): Promise<Error> {
  const outcome = await openWaylandPresenter(fixture.device, { size: SIZE, mode, ...extra }).then(
    async (p) => {
      await p.close();
      return new Error(`opened ${p.backend}`);
    },
    (e: Error) => e,
  );
  return outcome;
}

describe("no compositor to reach: BackendUnavailableError", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "scanout-wl-open-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(restoreEnv);

  it("WAYLAND_DISPLAY unset", async () => {
    delete process.env.WAYLAND_DISPLAY;
    for (const [mode, backend] of [["auto", "wayland"], ["shm", "wayland-shm"]] as const) {
      const e = await openError(mode);
      expect(e).toBeInstanceOf(BackendUnavailableError);
      expect((e as BackendUnavailableError).backend).toBe(backend);
      expect(e.message).toMatch(/WAYLAND_DISPLAY is not set/);
      expect(e.cause).toBeInstanceOf(CompositorUnreachableError);
    }
    // this host's device cannot export dmabufs, which is the first thing dmabuf finds unavailable
    expect(await openError("dmabuf")).toBeInstanceOf(BackendUnavailableError);
  });

  it("WAYLAND_DISPLAY=nope: the message names the full socket path that is not there", async () => {
    process.env.WAYLAND_DISPLAY = "nope";
    process.env.XDG_RUNTIME_DIR = dir;
    const e = await openError("auto");
    expect(e).toBeInstanceOf(BackendUnavailableError);
    expect(e.message).toBe(`wayland: cannot connect to the Wayland compositor at ${dir}/nope: no such socket (is the compositor running?)`);
    expect((e.cause as CompositorUnreachableError).socketPath).toBe(`${dir}/nope`);
  });

  it("a stale socket nobody listens on: connection refused", async () => {
    const path = join(dir, "stale");
    // a process binds the socket and dies without closing it, as a crashed compositor leaves it
    const script = `require("net").createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, "SIGKILL"))`;
    spawnSync(process.execPath, ["-e", script]);
    expect(existsSync(path)).toBe(true);
    process.env.WAYLAND_DISPLAY = path;
    const e = await openError("shm");
    expect(e).toBeInstanceOf(BackendUnavailableError);
    expect(e.message).toBe(`wayland-shm: cannot connect to the Wayland compositor at ${path}: connection refused (stale socket? the compositor is not listening)`);
  });

  it("a socket path longer than a Unix socket address holds", async () => {
    process.env.WAYLAND_DISPLAY = `/tmp/${"w".repeat(120)}`;
    const e = await openError("shm");
    expect(e).toBeInstanceOf(BackendUnavailableError);
    expect(e.message).toMatch(/the path is too long for a Unix socket$/);
  });

  it("automatic choice moves on to headless", async () => {
    process.env.WAYLAND_DISPLAY = "nope";
    process.env.XDG_RUNTIME_DIR = dir;
    await using out = await openPresenter(fixture.gpu, { prefer: ["wayland", "headless"], size: SIZE });
    expect(out.backend).toBe("headless");
  });
});

describe.skipIf(!westonAvailable)("other failures come out as themselves", () => {
  const bed = westonFixture();
  afterEach(restoreEnv);

  it("a bug (a title the wire cannot carry) is not 'unavailable' and stops automatic choice", async () => {
    process.env.WAYLAND_DISPLAY = bed.weston.path;
    const e = await openError("auto", { title: "bad\0title" });
    expect(e).toBeInstanceOf(WireError);
    expect(e.message).toMatch(/set_title: string contains NUL/);
    await expect(openPresenter(fixture.gpu, { prefer: ["wayland", "headless"], size: SIZE, title: "bad\0title" })).rejects.toBeInstanceOf(WireError);
  });

  it("a protocol error on the connection is not 'unavailable'", async () => {
    const connection = Connection.connect({ socket: bed.weston.path });
    try {
      const shm = (await Globals.fetch(connection)).bind(WlShm);
      shm.create_pool(0, -1); // size -1: wl_shm.error invalid_stride
      await connection.roundtrip().catch(() => {});
      expect(connection.error).toBeInstanceOf(WaylandProtocolError);
      const e = await openWaylandPresenter(fixture.device, { size: SIZE, mode: "shm", connection }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e).toBe(connection.error);
    } finally {
      await connection.close();
    }
  });
});
