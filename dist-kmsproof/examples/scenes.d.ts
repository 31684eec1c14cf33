import type { Scene, TargetInfo } from "../src/index.js";
import type { DemoArgs } from "./cli-args.js";
export type SceneLoader = (out: TargetInfo, args: DemoArgs) => Promise<Scene>;
export declare const scenes: Record<string, SceneLoader>;
export declare const defaultScene: () => string;
