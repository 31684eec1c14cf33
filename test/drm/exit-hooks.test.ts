// src/sys/exit-hooks.ts, which puts the display and the VT back however a KMS program ends: a real
// child process per way out (normal exit, SIGTERM, SIGINT handled by the app, an uncaught error),
// its stdout saying which clean-ups ran, its exit status how it ended.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;

/** The modules the child needs, compiled to plain JavaScript (Node 20 cannot run TypeScript itself). */
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "exit-hooks-"));
  for (const file of ["src/sys/exit-hooks.ts", "src/util/log.ts"]) {
    const out = join(dir, file.replace(/\.ts$/, ".js"));
    mkdirSync(dirname(out), { recursive: true });
    const js = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    writeFileSync(out, js.outputText);
  }
  writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
  writeFileSync(join(dir, "child.js"), `
import { onProcessExit } from "./src/sys/exit-hooks.js";
const say = (line) => process.stdout.write(line + "\\n"); // synchronous on a pipe
const how = process.argv[2];
const offFirst = onProcessExit((reason) => say("first " + reason));
onProcessExit((reason) => say("second " + reason));
if (how === "unregister") offFirst();
if (how === "failing") onProcessExit(() => { throw new Error("clean-up bug"); });
if (how === "SIGTERM") { process.kill(process.pid, "SIGTERM"); setTimeout(() => say("not reached"), 2000); }
if (how === "app SIGINT") {
  process.on("SIGINT", () => say("the app's own SIGINT handler"));
  process.kill(process.pid, "SIGINT");
  setTimeout(() => say("still running"), 100);
}
if (how === "uncaught") setImmediate(() => { throw new Error("deliberate"); });
`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(how: string) {
  const r = spawnSync(process.execPath, ["child.js", how], { cwd: dir, encoding: "utf8", timeout: 20_000 });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status, signal: r.signal };
}

describe("onProcessExit", () => {
  it("runs each clean-up once at a normal exit, the latest first", () => {
    expect(run("exit")).toMatchObject({ stdout: "second exit\nfirst exit\n", status: 0, signal: null });
  });

  it("does not run a clean-up that was unregistered", () => {
    expect(run("unregister")).toMatchObject({ stdout: "second exit\n", status: 0 });
  });

  it("after SIGTERM: runs the clean-ups, then dies of SIGTERM as it would have without them", () => {
    expect(run("SIGTERM")).toMatchObject({ stdout: "second SIGTERM\nfirst SIGTERM\n", signal: "SIGTERM" });
  });

  it("leaves a signal the application handles itself to the application", () => {
    const r = run("app SIGINT");
    expect(r.stdout).toBe("second SIGINT\nfirst SIGINT\nthe app's own SIGINT handler\nstill running\n");
    expect(r.status).toBe(0); // and nothing runs twice at the exit that follows
  });

  it("after an uncaught error: runs the clean-ups once, and the error still ends the process", () => {
    const r = run("uncaught");
    expect(r.stdout).toBe("second uncaught Error\nfirst uncaught Error\n");
    expect(r.stderr).toContain("Error: deliberate");
    expect(r.status).toBe(1);
  });

  it("a failing clean-up is logged and the others still run", () => {
    const r = run("failing");
    expect(r.stdout).toBe("second exit\nfirst exit\n");
    expect(r.stderr).toContain("[sys] error: clean-up on exit failed: clean-up bug");
    expect(r.status).toBe(0);
  });
});
