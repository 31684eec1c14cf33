// zwp_linux_dmabuf_v1 format discovery, v4 feedback path (Weston only offers v3 on our test beds,
// so the compositor side is scripted here): mmap'd format table, tranches, main_device, and
// rejection of indices outside the table. Every received descriptor is closed.
import { describe, expect, it } from "vitest";
import { openFdCount } from "../../src/sys/libc.js";
import { SharedMemory } from "../../src/sys/memfd.js";
import { socketPair } from "../../src/sys/socket.js";
import { Connection } from "../../src/wayland/connection.js";
import { DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888 } from "../../src/util/fourcc.js";
import { queryDmabufFormats } from "../../src/wayland/dmabuf.js";
import { CompositorDataError } from "../../src/wayland/errors.js";
import { ZwpLinuxDmabufFeedbackV1, ZwpLinuxDmabufV1 } from "../../src/wayland/protocol/linux-dmabuf-v1.js";
import { encodeMessage, type WireValue } from "../../src/wayland/wire.js";

function event(conn: Connection, id: number, name: string, args: WireValue[], fds: number[] = []): void {
  const obj = conn.objects.get(id)!;
  const opcode = obj.spec.events.findIndex((e) => e.name === name);
  const out: number[] = [];
  conn.feed(encodeMessage(id, opcode, obj.spec.events[opcode]!, args, out), fds);
}
const u16s = (...v: number[]) => new Uint8Array(new Uint16Array(v).buffer);
const u64 = (v: bigint) => new Uint8Array(new BigUint64Array([v]).buffer);

async function withFeedback(table: [number, bigint][], indices: number[]) {
  const before = openFdCount();
  const [a, b] = socketPair();
  const conn = Connection.fromSocket(a);
  const mem = SharedMemory.create("table", table.length * 16);
  try {
    const v = new DataView(mem.buffer);
    table.forEach(([f, m], i) => {
      v.setUint32(i * 16, f, true);
      v.setBigUint64(i * 16 + 8, m, true);
    });
    const dmabuf = conn.allocate(ZwpLinuxDmabufV1, 4);
    const result = queryDmabufFormats(conn, dmabuf);
    const fb = [...conn.objects.values()].find((o) => o instanceof ZwpLinuxDmabufFeedbackV1)!;
    const { dup } = await import("../../src/sys/libc.js");
    event(conn, fb.id, "format_table", [mem.fd, table.length * 16], [dup(mem.fd)]);
    event(conn, fb.id, "main_device", [u64(0xe280n)]);
    event(conn, fb.id, "tranche_target_device", [u64(0xe280n)]);
    event(conn, fb.id, "tranche_formats", [u16s(...indices)]);
    event(conn, fb.id, "tranche_flags", [0]);
    event(conn, fb.id, "tranche_done", []);
    event(conn, fb.id, "done", []);
    return await result;
  } finally {
    mem.close();
    await conn.close();
    b.close();
    await new Promise((r) => setTimeout(r, 20));
    expect(openFdCount()).toBe(before);
  }
}

describe("dmabuf feedback (v4+)", () => {
  it("reads the format table, tranches and main device", async () => {
    const r = await withFeedback(
      [
        [DRM_FORMAT_XRGB8888, 0n],
        [DRM_FORMAT_XRGB8888, 0xffffffffffffffn],
        [DRM_FORMAT_ARGB8888, 0n],
      ],
      [0, 1],
    );
    expect(r.source).toBe("v4 default feedback");
    expect(r.mainDevice).toBe(0xe280n);
    expect([...r.formats.get(DRM_FORMAT_XRGB8888)!]).toEqual([0n, 0xffffffffffffffn]);
    expect(r.formats.has(DRM_FORMAT_ARGB8888)).toBe(false); // not in any tranche
  });

  it("rejects a tranche index outside the table", async () => {
    const failed = withFeedback([[DRM_FORMAT_XRGB8888, 0n]], [0, 7]);
    await expect(failed).rejects.toThrow(/^zwp_linux_dmabuf_feedback_v1\.tranche_formats: tranche index 7 outside a 1-entry table$/);
    await expect(failed).rejects.toBeInstanceOf(CompositorDataError);
  });
});
