// Framebuffers created lazily, one per render target, plus a depth image shared by the targets
// of one size. A resize retires the old ones (destroyed once the GPU is done with them).
import { Framebuffer, Image, ImageUsage } from "../vk/index.js";
export class TargetFramebuffers {
    device;
    renderPass;
    depthFormat;
    byTarget = new Map();
    depth;
    constructor(device, renderPass, depthFormat) {
        this.device = device;
        this.renderPass = renderPass;
        this.depthFormat = depthFormat;
    }
    get(target) {
        let fb = this.byTarget.get(target.id);
        if (fb && fb.width === target.width && fb.height === target.height)
            return fb;
        if (fb)
            this.device.retire(fb);
        const attachments = [target.view];
        if (this.depthFormat !== undefined)
            attachments.push(this.depthView(target.width, target.height));
        fb = Framebuffer.create(this.device, { renderPass: this.renderPass, attachments, width: target.width, height: target.height });
        this.byTarget.set(target.id, fb);
        return fb;
    }
    depthView(width, height) {
        if (this.depth && this.depth.width === width && this.depth.height === height)
            return this.depth.view;
        if (this.depth) {
            this.device.retire(this.depth.view);
            this.device.retire(this.depth.image);
            // Framebuffers of the old size point at the old depth image: retire them with it.
            for (const [id, fb] of this.byTarget) {
                if (fb.width !== width || fb.height !== height) {
                    this.device.retire(fb);
                    this.byTarget.delete(id);
                }
            }
        }
        const image = Image.create(this.device, {
            width,
            height,
            format: this.depthFormat,
            usage: ImageUsage.depthStencilAttachment,
            aspect: "depth",
            what: `depth buffer ${width}x${height}`,
        });
        this.depth = { image, view: image.createView(), width, height };
        return this.depth.view;
    }
    destroy() {
        for (const fb of this.byTarget.values())
            fb.destroy();
        this.byTarget.clear();
        this.depth?.view.destroy();
        this.depth?.image.destroy();
        this.depth = undefined;
    }
}
//# sourceMappingURL=target-framebuffers.js.map