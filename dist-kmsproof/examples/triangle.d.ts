import { type CommandBuffer, type Frame, type Scene, type TargetInfo } from "../src/index.js";
export declare class Triangle implements Scene {
    private readonly scope;
    private readonly renderPass;
    private readonly layout;
    private readonly pipeline;
    private readonly framebuffers;
    private readonly sets;
    private readonly uniforms;
    private constructor();
    static create(out: TargetInfo): Triangle;
    update(frame: Frame): void;
    draw(cmd: CommandBuffer, frame: Frame): void;
    destroy(): void;
}
