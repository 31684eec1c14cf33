// The status server against a real headless presenter on lavapipe: where it listens, what it
// answers, how often it updates, that it reads nothing while no page is open, and that bad or slow
// clients are closed or dropped without hurting anyone else.
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeadlessPresenter, logger, RemoteBindRefusedError, serveStatus, setLogLevel, type LogLevel, type Presenter, type StatusMessage } from "../../src/index.js";
import { Triangle } from "../../src/scenes/index.js";
import { validatedGpu } from "../helpers/gpu.js";
import { closeCode, rawExchange, rawWebSocket, runInBackground, sleep, statusClient, wsFrame, type BackgroundRun } from "./helpers.js";

const fx = validatedGpu();
/** Warnings still reach log sinks (the status page) at level "error", but not stderr: the tests below log a lot. */
const quietly = async (body: () => Promise<void>) => {
  setLogLevel("error");
  try {
    await body();
  } finally {
    setLogLevel((process.env.SCANOUT_LOG as LogLevel | undefined) ?? "warn");
  }
};
let out: Presenter;
let scene: Triangle;
let run: BackgroundRun;
/** How often the server read presenter.stats (through a proxy: the presenter itself is the real one). */
let statsReads = 0;
let watched: Presenter;

beforeAll(() => {
  out = createHeadlessPresenter(fx.device, { size: [128, 96] });
  scene = Triangle.create(out);
  watched = new Proxy(out, {
    get(target, key) {
      if (key === "stats") statsReads++;
      return Reflect.get(target, key, target);
    },
  });
  run = runInBackground(out, scene);
});
afterAll(async () => {
  await run?.stop();
  scene?.destroy();
  await out?.close();
});

describe("status server address", () => {
  it("listens on 127.0.0.1 by default", async () => {
    await using status = await serveStatus(out);
    expect(status.host).toBe("127.0.0.1");
    expect(status.url).toBe(`http://127.0.0.1:${status.port}/`);
  });

  it("refuses a non-loopback address unless allowRemote is set, and says so", async () => {
    const refused = serveStatus(out, { host: "0.0.0.0" });
    await expect(refused).rejects.toBeInstanceOf(RemoteBindRefusedError);
    await expect(refused).rejects.toThrow(/refusing to listen on 0\.0\.0\.0: it is not a loopback address.*allowRemote: true/);
    await using open = await serveStatus(out, { host: "0.0.0.0", allowRemote: true });
    expect(open.host).toBe("0.0.0.0");
    const answer = await rawExchange(open.port, "GET /status.json HTTP/1.1\r\nHost: scanout-kiosk.example:80\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1.1 200/); // served to other names once remote access is asked for
  });

  it("rejects with the address when the port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(serveStatus(out, { port })).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      blocker.close();
    }
  });
});

describe("status server HTTP", () => {
  it("serves the page, a JSON snapshot, and the right status for everything else", async () => {
    await using status = await serveStatus(out);
    const page = await fetch(status.url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toMatch(/default-src 'none'.*connect-src 'self'/);
    expect(await page.text()).toContain('id="fps"');

    const snapshot = (await (await fetch(`${status.url}status.json`)).json()) as Extract<StatusMessage, { type: "update" }>;
    expect(snapshot.info).toMatchObject({ backend: "headless", size: "128x96", format: "B8G8R8A8_UNORM", device: out.device.physical.name });

    expect((await fetch(`${status.url}no/such/page`)).status).toBe(404);
    const post = await fetch(status.url, { method: "POST", body: "x" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    // a name that is not loopback while bound to loopback: a DNS-rebinding page, refused
    expect(await rawExchange(status.port, "GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n")).toMatch(/^HTTP\/1.1 403/);
    expect(await rawExchange(status.port, "GARBAGE\r\n\r\n")).toMatch(/^HTTP\/1.1 400/);
    expect(await rawExchange(status.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1.1 431/);
    // WebSocket upgrades elsewhere than /ws, and from another site's page
    const upgrade = (path: string, origin: string) =>
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${status.port}\r\nOrigin: ${origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    expect(await rawExchange(status.port, upgrade("/elsewhere", `http://127.0.0.1:${status.port}`))).toMatch(/^HTTP\/1.1 404/);
    expect(await rawExchange(status.port, upgrade("/ws", "http://attacker.example"))).toMatch(/^HTTP\/1.1 403/);
    // and after all that it still serves
    expect((await fetch(status.url)).status).toBe(200);
  });
});

describe("status server updates", () => {
  it("reads nothing while no page is open, and updates at least 4 times a second while one is", async () => {
    await using status = await serveStatus(watched, { intervalMs: 200 });
    statsReads = 0;
    await sleep(1000);
    expect([status.sampling, statsReads]).toEqual([false, 0]); // no page: no timer, no reads

    const client = await statusClient(status.url);
    await sleep(2100);
    const updates = client.messages.filter((m) => m.type === "update");
    expect(client.messages[0]?.type).toBe("hello");
    expect(updates.length).toBeGreaterThanOrEqual(8);
    const gaps = client.arrivals.slice(2).map((t, i) => t - client.arrivals[i + 1]!);
    expect(Math.max(...gaps)).toBeLessThan(250 * 2); // no stalls while the frame loop runs
    const last = updates.at(-1)!;
    expect(last.info).toMatchObject({ backend: "headless", size: "128x96", format: "B8G8R8A8_UNORM", device: out.device.physical.name });
    expect(last.sample.fps).toBeGreaterThan(0); // the loop is running: live figures, not the zeros of a finished run
    expect(last.sample.frames).toBeGreaterThan(0);
    expect(last.sample.gpuMs === null || last.sample.gpuMs > 0).toBe(true);

    client.ws.close();
    await sleep(300);
    expect(status.sampling).toBe(false);
    const readsAfter = statsReads;
    await sleep(600);
    expect(statsReads).toBe(readsAfter);
  });

  it("sends log lines with their levels, and keeps only the last few", () => quietly(async () => {
    await using status = await serveStatus(out, { intervalMs: 100, logLines: 20 });
    const log = logger("present");
    for (let i = 0; i < 50; i++) log.warn(`status test line ${i}`);
    const first = await statusClient(status.url);
    await sleep(50);
    const hello = first.messages[0] as Extract<StatusMessage, { type: "hello" }>;
    expect(hello.log.map((l) => l.message)).toEqual(Array.from({ length: 20 }, (_, i) => `status test line ${30 + i}`));
    log.warn("status test: something broke");
    await sleep(300);
    const sent = first.messages.flatMap((m) => m.log);
    expect(sent.find((l) => l.message === "status test: something broke")).toMatchObject({ level: "warn", source: "present" });
    first.ws.close();
  }));
});

describe("status server robustness", () => {
  it("closes a client that sends a malformed frame (1002) or an oversize message (1009), and serves the rest", async () => {
    await using status = await serveStatus(out, { intervalMs: 100 });
    const good = await statusClient(status.url);

    const unmasked = await rawWebSocket(status.port);
    const unmaskedClosed = closeCode(unmasked);
    unmasked.write(wsFrame(0x1, Buffer.from("hi"), { mask: false })); // clients must mask
    expect(await unmaskedClosed).toBe(1002);

    const badOpcode = await rawWebSocket(status.port);
    const badOpcodeClosed = closeCode(badOpcode);
    badOpcode.write(wsFrame(0x3, Buffer.from("?"))); // reserved opcode
    expect(await badOpcodeClosed).toBe(1002);

    const huge = await rawWebSocket(status.port);
    const hugeClosed = closeCode(huge);
    huge.write(wsFrame(0x2, Buffer.alloc(16), { declaredLength: 1 << 30 })); // claims 1 GiB
    expect(await hugeClosed).toBe(1009);

    const before = good.messages.length;
    await sleep(400);
    expect(good.messages.length).toBeGreaterThan(before + 1);
    expect(status.connectedClients).toBe(1);
    good.ws.close();
  });

  it("drops a client that stops reading instead of buffering for it, and keeps serving the others", () => quietly(async () => {
    await using status = await serveStatus(out, { intervalMs: 20, logLines: 200, maxBufferedBytes: 256 * 1024 });
    const good = await statusClient(status.url);
    const stalled = await rawWebSocket(status.port); // handshake done, never read again
    await sleep(100);
    expect(status.connectedClients).toBe(2);
    const log = logger("present");
    const line = "x".repeat(1500);
    // big log lines make every update large, so the stalled client's backlog grows fast
    const deadline = performance.now() + 30_000;
    while (status.droppedClients === 0 && performance.now() < deadline) {
      for (let i = 0; i < 100; i++) log.warn(line);
      await sleep(20);
    }
    expect(status.droppedClients).toBe(1);
    expect(status.connectedClients).toBe(1);
    const before = good.messages.length;
    await sleep(200);
    expect(good.messages.length).toBeGreaterThan(before);
    stalled.destroy();
    good.ws.close();
  }));

  it("refuses pages beyond maxClients with 503", async () => {
    await using status = await serveStatus(out, { maxClients: 2 });
    const a = await statusClient(status.url);
    const b = await statusClient(status.url);
    await expect(statusClient(status.url)).rejects.toThrow(/503/);
    a.ws.close();
    b.ws.close();
  });
});
