// The demo's scenes by name, from scanout/scenes. Each loads against a presenter's TargetInfo.
import type { Scene, TargetInfo } from "../src/index.js";
import { loadDemoMesh, Triangle } from "../src/scenes/index.js";
import { UsageError, type DemoArgs } from "./cli-args.js";

export type SceneLoader = (out: TargetInfo, args: DemoArgs) => Promise<Scene>;

export const scenes: Record<string, SceneLoader> = {
  triangle: async (out) => Triangle.create(out),
  mesh: (out, args) => {
    if (args.texture && !args.model) throw new UsageError("--texture needs --model (the OBJ it belongs to)");
    return loadDemoMesh(out, { obj: args.model, texture: args.texture, up: args.up });
  },
  // the room with an emissive panel far above SDR white over its cube, encoded for the target's colour
  hdr: (out, args) => {
    if (args.texture && !args.model) throw new UsageError("--texture needs --model (the OBJ it belongs to)");
    return loadDemoMesh(out, { obj: args.model, texture: args.texture, up: args.up, highlightNits: 1000 });
  },
};

export const defaultScene = (): string => "mesh";
