// The demo's options for several KMS outputs: --connector all|NAME[,NAME...], --layout, --rotate,
// and what each refuses. The presenter itself runs in the VM (test/present/kms-outputs.vm.test.ts).
import { describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../examples/cli-args.js";

describe("demo: --connector, --layout, --rotate", () => {
  it("one name stays the single-output presenter's; all or a list drives several", () => {
    expect(parseArgs(["--connector", "HDMI-A-1"])).toMatchObject({ connector: "HDMI-A-1", connectors: undefined });
    expect(parseArgs(["--connector", "all"])).toMatchObject({ connector: undefined, connectors: "all" });
    expect(parseArgs(["--connector", "DP-1,DP-2", "--layout", "clone"])).toMatchObject({ connectors: ["DP-1", "DP-2"], layout: "clone" });
  });
  it("--layout or --rotate with one name (or none) makes a list of it (or all)", () => {
    expect(parseArgs(["--connector", "DP-2", "--rotate", "90"])).toMatchObject({ connector: undefined, connectors: ["DP-2"], rotate: 90 });
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
