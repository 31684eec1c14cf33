// The forky test bed lives in scripts/testbed/forky.ts (the benchmarks start it too); the tests
// import it from here, with forkyBlock: one compositor and a validated instance per describe block.
import { afterAll, beforeAll } from "vitest";
import { Instance } from "../../src/index.js";
import { startForky, type ForkyBed, type ForkyCompositor, type ForkyOptions } from "../../scripts/testbed/forky.js";

export * from "../../scripts/testbed/forky.js";

/** A bed per describe block (plus a validated instance); `fresh()` replaces it for a test that needs its own. */
export function forkyBlock(kind: ForkyCompositor, options: ForkyOptions = {}) {
  const ctx = {} as { bed: ForkyBed; gpu: Instance; fresh(): Promise<ForkyBed> };
  beforeAll(async () => {
    ctx.gpu = await Instance.create({ validation: true, requireValidation: true });
    ctx.bed = await startForky(kind, options);
  }, 90_000);
  afterAll(async () => {
    ctx.gpu?.destroy();
    await ctx.bed?.stop();
  });
  ctx.fresh = async () => {
    await ctx.bed.stop();
    ctx.bed = await startForky(kind, options);
    return ctx.bed;
  };
  return ctx;
}
