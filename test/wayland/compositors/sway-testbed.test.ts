// The Sway test bed itself: starts as the unprivileged user, answers IPC, screenshots, stops clean.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { startSway, swaySkipReason } from "../../../scripts/testbed/sway.js";

describe.skipIf(swaySkipReason)(`Sway test bed${swaySkipReason ? ` (skipped: ${swaySkipReason})` : ""}`, () => {
  it("starts headless, answers swaymsg, screenshots the output and stops without leftovers", async () => {
    const sway = await startSway({ width: 320, height: 240 });
    try {
      expect(existsSync(sway.path)).toBe(true);
      const outputs = (await sway.query("get_outputs")) as { name: string; current_mode: { width: number } }[];
      expect(outputs[0]?.current_mode.width).toBe(320);
      const shot = await sway.screenshot("/tmp/sway-bed.png");
      expect([shot.width, shot.height]).toEqual([320, 240]);
    } finally {
      await sway.stop();
    }
    expect(existsSync(sway.runtimeDir)).toBe(false);
    expect(sway.process.exitCode !== null || sway.process.signalCode !== null).toBe(true);
  });
});
