// A validated instance and device for one describe block: made before its tests, destroyed after.
import { afterAll, beforeAll } from "vitest";
import { Instance, type Device } from "../../src/index.js";

export interface GpuFixture {
  gpu: Instance;
  device: Device;
}

/** Validation is required: a missing layer fails the block rather than silently testing less. */
export function validatedGpu(): GpuFixture {
  const fixture = {} as GpuFixture;
  beforeAll(async () => {
    fixture.gpu = await Instance.create({ validation: true, requireValidation: true });
    fixture.device = fixture.gpu.createDevice();
  });
  afterAll(() => {
    fixture.device?.destroy();
    fixture.gpu?.destroy();
  });
  return fixture;
}
