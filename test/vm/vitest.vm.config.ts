import { defineConfig } from "vitest/config";

// Runs the KMS suite inside the VM (test/vm/run-suite.sh). JavaScript is ~20x slower there (TCG), so
// timeouts are generous; the cache goes to /tmp since the shared root is read-only.
export default defineConfig({
  cacheDir: "/tmp/scanout-vitest-cache",
  test: {
    include: ["test/vk/**/*.vm.test.ts", "test/present/**/*.vm.test.ts", "test/drm/**/*.vm.test.ts", "test/wayland/**/*.vm.test.ts", "test/input/**/*.vm.test.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 400_000, // beforeAll may start Weston GL (up to ~20 s under TCG) and render references
    env: { npm_config_disable_validation_checks: "1" },
  },
});
