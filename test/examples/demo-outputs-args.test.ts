// The demo's options for several KMS outputs: --connector all|NAME[,NAME...], --layout, --rotate,
// and what each refuses. The presenter itself runs in the VM (test/present/kms-outputs.vm.test.ts).
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../examples/cli-args.js";

describe("demo: --connector, --layout, --rotate", () => {
  it("one name stays the single-output presenter's; all or a list drives several", () => {
    const one = parseArgs(["--connector", "HDMI-A-1"]);
    expect([one.connector, one.connectors]).toEqual(["HDMI-A-1", undefined]);
    const all = parseArgs(["--connector", "all"]);
    expect([all.connector, all.connectors]).toEqual([undefined, "all"]);
    expect(parseArgs(["--connector", "DP-1,DP-2", "--layout", "clone"])).toMatchObject({ connectors: ["DP-1", "DP-2"], layout: "clone" });
  });
  it("--layout or --rotate with one name (or none) makes a list of it (or all)", () => {
    const turned = parseArgs(["--connector", "DP-2", "--rotate", "90"]);
    expect([turned.connector, turned.connectors, turned.rotate]).toEqual([undefined, ["DP-2"], 90]);
    expect(parseArgs(["--layout", "extend"])).toMatchObject({ connectors: "all", layout: "extend" });
  });
  it("refuses what it cannot mean, saying what it expects", () => {
    expect(() => parseArgs(["--connector", "DP-1,"])).toThrow(new UsageError("--connector: expected all or NAME[,NAME...], got 'DP-1,'"));
    expect(() => parseArgs(["--connector", "all,DP-1"])).toThrow(/expected all or NAME/);
    expect(() => parseArgs(["--layout", "mirror"])).toThrow(new UsageError("--layout: expected extend or clone, got 'mirror'"));
    expect(() => parseArgs(["--rotate", "45"])).toThrow(new UsageError("--rotate: expected 0, 90, 180 or 270, got '45'"));
    expect(() => parseArgs(["--backend", "headless", "--connector", "all"])).toThrow(/are for --backend kms, not headless/);
  });
});
