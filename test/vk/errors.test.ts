// Bad input gets a clear error naming the file or field: SPIR-V, devices, CLI arguments.
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { validatedGpu } from "../helpers/gpu.js";
import { Image, ImageUsage, Format, ShaderError, ShaderModule, VulkanError } from "../../src/index.js";

const run = promisify(execFile);
const demo = join(process.cwd(), "dist/examples/demo.js");

async function runDemo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [demo, ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("shader modules", () => {
  const fx = validatedGpu();
  const dir = mkdtempSync(join(tmpdir(), "scanout-spv-"));

  it("names a missing .spv file", () => {
    const file = join(dir, "missing.vert.spv");
    expect(() => ShaderModule.load(fx.device, file)).toThrow(ShaderError);
    expect(() => ShaderModule.load(fx.device, file)).toThrow(`${file}: SPIR-V file not found`);
  });

  it("names a corrupt .spv file instead of handing it to the driver", () => {
    const file = join(dir, "corrupt.frag.spv");
    writeFileSync(file, Buffer.from("this is not SPIR-V, just some text"));
    expect(() => ShaderModule.load(fx.device, file)).toThrow(/corrupt\.frag\.spv: not SPIR-V/);
    const truncated = join(dir, "truncated.spv");
    writeFileSync(truncated, Buffer.from([0x03, 0x02, 0x23, 0x07, 0, 0]));
    expect(() => ShaderModule.load(fx.device, truncated)).toThrow(/truncated\.spv: not SPIR-V/);
    expect(fx.gpu.validationMessages).toEqual([]);
  });

  it("rejects impossible image sizes with the image's name", () => {
    const usage = ImageUsage.colorAttachment;
    expect(() => Image.create(fx.device, { width: 0, height: 10, format: Format.VK_FORMAT_B8G8R8A8_UNORM, usage, what: "my target" })).toThrow(/my target: size must be positive/);
    expect(() => Image.create(fx.device, { width: 1 << 20, height: 10, format: Format.VK_FORMAT_B8G8R8A8_UNORM, usage })).toThrow(/exceeds the device's maximum/);
  });

  it("VulkanError names the call and the VkResult", () => {
    const e = new VulkanError("vkCreateGraphicsPipelines", -2);
    expect(e.message).toBe("vkCreateGraphicsPipelines: VK_ERROR_OUT_OF_DEVICE_MEMORY");
    expect(e.resultName).toBe("VK_ERROR_OUT_OF_DEVICE_MEMORY");
  });
});

describe("demo command line", () => {
  it("renders the triangle headless and writes a PNG", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "scanout-demo-")), "t.png");
    const r = await runDemo(["--backend", "headless", "--scene", "triangle", "--frames", "5", "--size", "64x48", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^device: .+$/m);
    expect(r.stdout).toMatch(/frames: 5 in [\d.]+ s, [\d.]+ frames\/s/);
    expect(r.stdout).not.toMatch(/\(nvk\)/);
    expect(r.stdout).toContain(`wrote ${out}`);
  });

  it("lists devices", async () => {
    const r = await runDemo(["--list-devices"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0: .+\((cpu|integrated-gpu|discrete-gpu|virtual-gpu|other), Vulkan \d+\.\d+\.\d+\)/m);
  });

  it.each([["0x0"], ["abc"], ["640x"], ["-5x10"]])("rejects --size %s with usage text", async (size) => {
    const r = await runDemo(["--size", size]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--size: expected WIDTHxHEIGHT");
    expect(r.stderr).toContain("usage: scanout-demo [options]");
  });

  it("rejects unknown options and backends", async () => {
    expect((await runDemo(["--bogus"])).stderr).toContain("unknown option '--bogus'");
    const r = await runDemo(["--backend", "x11"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown backend 'x11'");
  });

  it("says clearly when there is no Vulkan device, and exits non-zero", async () => {
    const r = await runDemo(["--frames", "1"], { VK_ICD_FILENAMES: "/nonexistent", VK_DRIVER_FILES: "/nonexistent" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^demo: no Vulkan device found/m);
    expect(r.stdout).toBe("");
  });
});
