// The demo's scenes by name. Each loads against a presenter's TargetInfo.
import type { Scene, TargetInfo } from "../src/index.js";
import type { DemoArgs } from "./cli-args.js";
import { Triangle } from "./triangle.js";
import { loadMeshScene } from "./mesh-scene.js";

export type SceneLoader = (out: TargetInfo, args: DemoArgs) => Promise<Scene>;

export const scenes: Record<string, SceneLoader> = {
  triangle: async (out) => Triangle.create(out),
  mesh: (out, args) => loadMeshScene(out, args),
};

export const defaultScene = (): string => ("mesh" in scenes ? "mesh" : "triangle");
