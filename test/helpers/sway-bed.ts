// A private headless Sway and a validated Vulkan instance for one describe block: started before
// its tests, stopped after them (the Sway test bed itself is scripts/testbed/sway.ts).
import { afterAll, beforeAll } from "vitest";
import { Instance } from "../../src/index.js";
import { startSway, type Sway, type SwayOptions } from "../../scripts/testbed/sway.js";

export interface SwayBed {
  readonly sway: Sway;
  readonly gpu: Instance;
}

/** Validation is required: a missing layer fails the block rather than silently testing less. */
export function swayBed(options: SwayOptions): SwayBed {
  const bed = {} as { sway: Sway; gpu: Instance };
  beforeAll(async () => {
    bed.sway = await startSway(options);
    bed.gpu = await Instance.create({ validation: true, requireValidation: true });
  });
  afterAll(async () => {
    bed.gpu?.destroy();
    await bed.sway?.stop();
  });
  return bed;
}
