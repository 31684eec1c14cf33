// The demo's --status option: parsing, the refusal of non-loopback addresses, and a page that
// answers while a headless run (whose frames never wait on I/O) is in progress.
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../examples/cli-args.js";

describe("--status [HOST:]PORT", () => {
  it("parses a port, a host and port, and a bracketed IPv6 host", () => {
    expect(parseArgs(["--status", "8080"]).status).toEqual({ port: 8080 });
    expect(parseArgs(["--status", "127.0.0.1:0"]).status).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseArgs(["--status", "[::1]:9000"]).status).toEqual({ host: "::1", port: 9000 });
    expect(parseArgs(["--status", "localhost:9000"]).status).toEqual({ host: "localhost", port: 9000 });
    expect(parseArgs([]).status).toBeUndefined();
  });

  it("rejects bad addresses and ports with the option's name", () => {
    expect(() => parseArgs(["--status", "70000"])).toThrow(/--status: expected \[HOST:\]PORT with PORT 0-65535.*'70000'/);
    expect(() => parseArgs(["--status", "here"])).toThrow(UsageError);
    expect(() => parseArgs(["--status"])).toThrow(/--status needs a value/);
  });

  it("refuses a non-loopback host unless --status-allow-remote is given", () => {
    expect(() => parseArgs(["--status", "0.0.0.0:8080"])).toThrow(/0\.0\.0\.0 is not a loopback address.*--status-allow-remote/);
    expect(parseArgs(["--status", "0.0.0.0:8080", "--status-allow-remote"])).toMatchObject({ status: { host: "0.0.0.0", port: 8080 }, statusAllowRemote: true });
    expect(() => parseArgs(["--status-allow-remote"])).toThrow(/--status-allow-remote needs --status/);
  });
});

describe("scanout-demo --status", () => {
  it("exits with usage status 2 for a non-loopback address", () => {
    const r = spawnSync(process.execPath, ["dist/examples/demo.js", "--status", "0.0.0.0:0"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--status: 0\.0\.0\.0 is not a loopback address/);
  });

  it("prints the page's address and answers during a headless run", async () => {
    const demo = spawn(process.execPath, ["dist/examples/demo.js", "--backend", "headless", "--scene", "triangle", "--frames", "1000000", "--status", "0", "--out", "/dev/null"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      let text = "";
      demo.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      const deadline = performance.now() + 30_000;
      while (!/status page: \S+/.test(text) && performance.now() < deadline && demo.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      const url = /status page: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)?.[1];
      expect(url, text).toBeDefined();
      await new Promise((r) => setTimeout(r, 1000)); // frames are running now
      const snapshot = (await (await fetch(`${url}status.json`, { signal: AbortSignal.timeout(5000) })).json()) as { info: { backend: string; size: string } };
      expect(snapshot.info).toMatchObject({ backend: "headless", size: "640x480" });
      expect(demo.exitCode).toBeNull(); // still rendering: the page answered during the run
    } finally {
      demo.kill();
    }
  });
});
