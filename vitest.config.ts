import { defineConfig } from "vitest/config";

// lavapipe, Weston and the VM each want the machine's two cores to themselves: run test files one
// at a time so timings and compositor start-up stay predictable.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // *.vm.test.ts run inside the VM (test/vm/run-suite.sh, part of npm test), not here
    exclude: ["**/node_modules/**", "test/**/*.vm.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { npm_config_disable_validation_checks: "1" },
    // The JSON report feeds the summary line of .ci/run.
    reporters: ["default", ["json", { outputFile: "test-results/results.json" }]],
  },
});
