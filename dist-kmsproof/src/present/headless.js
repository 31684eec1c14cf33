// Headless presentation: frames render into offscreen images and go nowhere unless captured.
// The reference SwapchainBackend: a small ring of targets, each reused only after the fence of
// the frame that last rendered into it has signalled.
import { Format, Image, ImageLayout, ImageUsage } from "../vk/index.js";
import { FrameLoop } from "./frame-loop.js";
let nextTargetId = 1;
/** Makes offscreen render targets: colour attachment + transfer source (for capture). */
export function createOffscreenTarget(device, width, height, format, finalLayout) {
    const image = Image.create(device, {
        width,
        height,
        format,
        usage: ImageUsage.colorAttachment | ImageUsage.transferSrc,
        what: `offscreen target ${width}x${height}`,
    });
    try {
        const view = image.createView();
        return { id: nextTargetId++, image, view, width, height, format, finalLayout };
    }
    catch (error) {
        image.destroy();
        throw error;
    }
}
export class HeadlessBackend {
    device;
    name = "headless";
    format;
    finalLayout = ImageLayout.VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    size;
    defaultTimestep = 1 / 60;
    targets = [];
    next = 0;
    constructor(device, options) {
        this.device = device;
        const [width, height] = options.size;
        this.size = [width, height];
        this.format = options.format ?? Format.VK_FORMAT_B8G8R8A8_UNORM;
        const count = options.images ?? 2;
        try {
            for (let i = 0; i < count; i++) {
                this.targets.push({ ...createOffscreenTarget(device, width, height, this.format, this.finalLayout), lastSerial: 0, lastFence: undefined });
            }
        }
        catch (error) {
            this.destroy();
            throw error;
        }
    }
    acquire() {
        const target = this.targets[this.next];
        this.next = (this.next + 1) % this.targets.length;
        // With one target per slot the frame loop has already waited for it; the check matters only
        // when a ring is smaller than the frames in flight.
        if (target.lastSerial > this.device.completedSubmission)
            target.lastFence?.wait();
        return target;
    }
    present(target, rendered) {
        const t = target;
        t.lastSerial = rendered.serial;
        t.lastFence = rendered;
    }
    destroy() {
        for (const t of this.targets) {
            t.view.destroy();
            t.image.destroy();
        }
        this.targets.length = 0;
    }
}
/** A headless Presenter on `device`; the presenter destroys the device on close when ownsDevice. */
export function createHeadlessPresenter(device, options, ownsDevice = false) {
    return new FrameLoop(new HeadlessBackend(device, options), ownsDevice);
}
//# sourceMappingURL=headless.js.map