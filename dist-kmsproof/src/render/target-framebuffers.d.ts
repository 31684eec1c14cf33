import { Framebuffer, type Device, type Format, type RenderPass } from "../vk/index.js";
import type { RenderTarget } from "../present/presenter.js";
export declare class TargetFramebuffers {
    private readonly device;
    private readonly renderPass;
    private readonly depthFormat?;
    private readonly byTarget;
    private depth;
    constructor(device: Device, renderPass: RenderPass, depthFormat?: Format | undefined);
    get(target: RenderTarget): Framebuffer;
    private depthView;
    destroy(): void;
}
