// The KMS backend's opener on a machine where KMS cannot work: automatic backend choice must be told
// "unavailable here" (BackendUnavailableError, with a reason naming /dev/dri), not a failure. The VM
// suite (kms-present.vm.test.ts) covers permission denied and another DRM master on a real kernel.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DrmUnavailableError } from "../../src/drm/index.js";
import { BackendUnavailableError } from "../../src/present/errors.js";
import { kmsBackendOpener } from "../../src/present/kms.js";
import { validatedGpu } from "../helpers/gpu.js";

const hostHasDrm = existsSync("/dev/dri");

describe.skipIf(hostHasDrm)("KMS backend without DRM (this host has no /dev/dri)", () => {
  const fx = validatedGpu();

  it("is unavailable here, saying that /dev/dri does not exist", async () => {
    const error = await kmsBackendOpener(fx.gpu, { device: fx.device, ownsDevice: false, size: [64, 64] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BackendUnavailableError);
    const e = error as BackendUnavailableError;
    expect(e.backend).toBe("kms");
    expect(e.message).toBe("kms: no DRM device: /dev/dri does not exist (this kernel has no DRM driver loaded)");
    expect(e.cause).toBeInstanceOf(DrmUnavailableError);
    expect(fx.gpu.validationMessages).toEqual([]);
  });
});
