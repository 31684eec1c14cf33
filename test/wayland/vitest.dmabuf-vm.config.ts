import { defineConfig } from "vitest/config";

// The Wayland dmabuf suite inside the VM (same settings as test/vm/vitest.vm.config.ts; the lead
// merges this include there). JavaScript is ~20x slower under TCG, hence the generous timeouts.
export default defineConfig({
  cacheDir: "/tmp/scanout-vitest-cache",
  test: {
    include: ["test/wayland/**/*.vm.test.ts"],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    env: { npm_config_disable_validation_checks: "1" },
  },
});
