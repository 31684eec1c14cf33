// A DRM lease checked by its pixels, on a real kernel (VM: bash test/vm/run-suite.sh
// test/drm/lease-writeback.vm.test.ts). A configfs vkms device of two outputs, each CRTC with a
// writeback connector. This process (the lessor) presents the triangle on output 1 with the KMS
// presenter and leases output 2 whole (connector, CRTC, primary plane) with that CRTC's writeback
// connector to a child (dist/examples/kms-lessee.js), passing the lease fd over a unix socket. The
// child flips its own buffers and reads what its CRTC shows through the leased writeback connector:
// every pixel is its buffer's. The lessor reads its own CRTC through its own writeback connector: the
// headless render of its frame. Revoking ends the child cleanly; the display state is restored.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { captureCrtc, DrmDevice, DrmLease, listLessees, listOutputs, summarizeState, writebackConnectors } from "../../src/drm/index.js";
import { FrameLoop } from "../../src/present/frame-loop.js";
import { KmsBackend } from "../../src/present/kms.js";
import { Triangle } from "../../src/scenes/index.js";
import { close as closeFd, openFdCount } from "../../src/sys/libc.js";
import { socketPair } from "../../src/sys/socket.js";
import { compare, headlessTriangle } from "../helpers/kms-pixels.js";
import { outputsTopology, vkmsConfigfsSkipReason, VkmsConfigfsDevice } from "../helpers/vkms-configfs.js";
import { validatedGpu } from "../helpers/gpu.js";

const skipWhy = vkmsConfigfsSkipReason() ?? (existsSync("/dev/udmabuf") ? undefined : "no /dev/udmabuf")
  ?? (existsSync("dist/examples/kms-lessee.js") ? undefined : "no dist/examples/kms-lessee.js (npx tsc -p tsconfig.json)");
if (skipWhy) console.warn(`[lease-writeback.vm.test] skipped: ${skipWhy}`);
const N = 6;

describe.skipIf(!!skipWhy)("DRM lease with a writeback connector (vkms configfs)", () => {
  const ctx = validatedGpu();

  it("the lessee's pixels read through its leased writeback connector; the lessor's through its own; revoke ends the lessee; state restored", async () => {
    const wall = await VkmsConfigfsDevice.create("leased", outputsTopology(2));
    const drm = DrmDevice.open(wall.card);
    try {
      drm.setClientCap("writebackConnectors", 1);
      const [mine, theirs] = [0, 1].map((i) => listOutputs(drm).outputs.find((o) => o.connector.id === wall.connector(i).id)!);
      const initial = summarizeState(drm);
      const fds = openFdCount();
      // the lessor's presenter first: the state it saves (and restores) is the one before the lease
      const backend = KmsBackend.open(ctx.device, { drm, connector: mine!.name, mode: "640x480", input: false });
      const out = new FrameLoop(backend, false);
      const scene = Triangle.create(out);
      let lease: DrmLease | undefined;
      try {
        const crtc = theirs!.crtcs.find((c) => c !== backend.output.crtc)!;
        const primary = theirs!.planes.primary.find((p) => drm.plane(p).possibleCrtcs.includes(crtc))!;
        const wb = writebackConnectors(drm).find((c) => c.possibleCrtcs.includes(crtc) && !c.possibleCrtcs.includes(backend.output.crtc))!;
        expect(wb, `a writeback connector for crtc ${crtc} alone`).toBeDefined();
        lease = DrmLease.create(drm, { connectors: [theirs!.connector.id, wb.id], crtcs: [crtc], planes: [primary] });
        const [sock, childEnd] = socketPair();
        const child = spawn(process.execPath, ["dist/examples/kms-lessee.js", "--socket-fd", "3", "--writeback-after", "5"], { stdio: ["ignore", "pipe", "pipe", childEnd.descriptor] });
        childEnd.close();
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const lines: Record<string, unknown>[] = [];
        createInterface({ input: child.stdout! }).on("line", (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
        const exited = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
        const next = async (event: string) => {
          for (let t = 0; t < 3000; t++) {
            const seen = lines.find((l) => l.event === event);
            if (seen) return seen;
            if (child.exitCode !== null) break;
            await new Promise((r) => setTimeout(r, 20));
          }
          throw new Error(`the lessee said no "${event}" (stderr: ${stderr}; said: ${JSON.stringify(lines)})`);
        };
        const leaseFd = lease.takeFd();
        await sock.send(Uint8Array.of(1), [leaseFd]);
        closeFd(leaseFd);
        sock.close();
        const leased = await next("leased");
        expect([...(leased.objects as number[])].sort()).toEqual([theirs!.connector.id, wb.id, crtc, primary].sort());

        // meanwhile the lessor presents on its own output
        for await (const frame of out.frames({ limit: N })) {
          scene.update(frame);
          frame.record((cmd) => scene.draw(cmd, frame));
        }
        await backend.idle();
        const shown = await captureCrtc(drm, backend.output.crtc);
        const want = await headlessTriangle(ctx.device, [640, 480], N);
        const r = compare(shown, want);
        expect(r.differing, `the lessor's output: worst ${r.worst} at ${r.where.join(" ")}`).toBe(0);

        const seen = await next("writeback");
        expect(seen).toMatchObject({ connector: wb.name, differing: 0 });
        expect(seen.width as number).toBeGreaterThan(0);
        expect(listLessees(drm)).toEqual([lease.lesseeId]);
        lease.revoke();
        const code = await exited;
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(lines.at(-1)).toMatchObject({ event: "revoked" });
        console.log(`[lease-writeback.vm.test] lessee: ${JSON.stringify(seen)}, ${JSON.stringify(lines.at(-1))}; lessor's writeback: ${r.differing} px off (worst ${r.worst})`);
      } finally {
        if (lease && !lease.revoked) lease.revoke();
        scene.destroy();
        await out.close(); // restores what it saved, the leased output's state included (the lease is gone)
      }
      expect(listLessees(drm)).toEqual([]);
      expect(summarizeState(drm)).toEqual(initial);
      expect(openFdCount()).toBe(fds);
      expect(ctx.gpu.validationMessages).toEqual([]);
    } finally {
      drm.close();
      wall.destroy();
    }
  });
});
