// Clipboard transfers through real pipes: the whole of a large paste, a paste cut at the limit,
// a reader that leaves early, and the event loop staying free while 10 MB pass; text decoded as
// it arrives, whole characters across chunk boundaries and at the cut.
import { describe, expect, it } from "vitest";
import { readPipe, readPipeText, transferPipe, writePipe } from "../../src/wayland/pipe-io.js";
import { openFdCount } from "../../src/sys/libc.js";

const pattern = (n: number) => new Uint8Array(n).map((_, i) => (i * 7) & 255);

describe("pipe transfers", () => {
  it("moves 10 MB whole, in chunks that leave the event loop free", async () => {
    const fds = openFdCount();
    const big = pattern(10 << 20);
    const { readFd, writeFd } = transferPipe();
    let maxGap = 0;
    let last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 1);
    const written = writePipe(writeFd, big, 10_000);
    const got = await readPipe(readFd, 16 << 20, 10_000);
    clearInterval(tick);
    expect(got.truncated).toBe(false);
    expect(got.data.length).toBe(big.length);
    expect(Buffer.compare(Buffer.from(got.data), Buffer.from(big))).toBe(0);
    expect(await written).toBe(true);
    expect(maxGap).toBeLessThan(250); // a blocking read of 10 MB would hold the loop for the whole transfer
    expect(openFdCount()).toBe(fds);
  });

  it("cuts a paste at the limit, closes the pipe, and the writer ends without an error", async () => {
    const fds = openFdCount();
    const { readFd, writeFd } = transferPipe();
    const written = writePipe(writeFd, pattern(4 << 20), 10_000);
    const got = await readPipe(readFd, 100_000, 10_000);
    expect(got).toMatchObject({ truncated: true });
    expect(got.data.length).toBe(100_000);
    expect(got.data[99_999]).toBe((99_999 * 7) & 255);
    expect(await written).toBe(false); // the reader left: EPIPE, quietly
    expect(openFdCount()).toBe(fds);
  });

  it("an empty writer gives empty data; a writer that never closes times out", async () => {
    const a = transferPipe();
    void writePipe(a.writeFd, new Uint8Array(0), 1000);
    expect((await readPipe(a.readFd, 10, 1000)).data.length).toBe(0);
    const b = transferPipe();
    await expect(readPipe(b.readFd, 10, 200)).rejects.toThrow(/no end of data within 200 ms/);
    const { close } = await import("../../src/sys/libc.js");
    close(b.writeFd);
  });

  it("decodes 10 MB of mixed-script text as it arrives, each character whole, the loop free", async () => {
    const fds = openFdCount();
    // 3- and 4-byte sequences land across every 64 KiB chunk and 256 KiB batch boundary somewhere
    const line = "Grüße, 世界! ñandú 🙂 ";
    const text = line.repeat(Math.ceil((10 << 20) / Buffer.byteLength(line)));
    const bytes = Buffer.from(text);
    const { readFd, writeFd } = transferPipe();
    let maxGap = 0;
    let last = performance.now();
    const tick = setInterval(() => {
      const now = performance.now();
      maxGap = Math.max(maxGap, now - last);
      last = now;
    }, 1);
    const written = writePipe(writeFd, bytes, 10_000);
    const got = await readPipeText(readFd, 64 << 20, 10_000);
    clearInterval(tick);
    expect(got).toMatchObject({ truncated: false, bytes: bytes.length });
    expect(got.text === text).toBe(true); // (toBe would print 10 MB on failure)
    expect(await written).toBe(true);
    expect(maxGap).toBeLessThan(250); // decoding it in one piece took 60-120 ms, with GC pauses beside it
    expect(openFdCount()).toBe(fds);
  });

  it("cuts text at the limit on a whole character; a broken sequence at the end becomes U+FFFD", async () => {
    const euro = Buffer.from("€€€"); // 3 bytes each
    const a = transferPipe();
    void writePipe(a.writeFd, euro, 1000);
    expect(await readPipeText(a.readFd, 7, 1000)).toEqual({ text: "€€", bytes: 7, truncated: true });
    const b = transferPipe();
    void writePipe(b.writeFd, euro.subarray(0, 7), 1000);
    expect(await readPipeText(b.readFd, 100, 1000)).toEqual({ text: "€€\uFFFD", bytes: 7, truncated: false });
  });
});
