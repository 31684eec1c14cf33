import type { BackendChoice } from "../src/index.js";
export declare const USAGE = "usage: npm run demo -- [options]\n  --backend NAME     headless | wayland | wayland-shm | wayland-dmabuf | kms (default: automatic)\n  --scene NAME       triangle | mesh (default: mesh when available, else triangle)\n  --frames N         frames to render (default 120; 0 with a window means until closed)\n  --size WxH         target size in pixels (default 640x480)\n  --out FILE.png     write the last frame as PNG (headless default: demo.png)\n  --model FILE.obj   mesh scene: OBJ model (default: a generated one)\n  --texture FILE.png mesh scene: texture for the model\n  --connector NAME   kms: connector name (e.g. Virtual-1)\n  --mode WxH[@Hz]    kms: display mode\n  --validation       enable the Khronos validation layer\n  --trace FILE.json  write a frame timeline (Chrome / Perfetto trace JSON)\n  --list-devices     print the Vulkan devices and exit\n  --help             this text";
export declare class UsageError extends Error {
    constructor(message: string);
}
export interface DemoArgs {
    backend?: BackendChoice;
    scene?: string;
    frames: number;
    size: [number, number];
    out?: string;
    model?: string;
    texture?: string;
    connector?: string;
    mode?: string;
    validation: boolean;
    trace?: string;
    listDevices: boolean;
    help: boolean;
}
export declare function parseSize(text: string, what?: string): [number, number];
export declare function parseArgs(argv: readonly string[]): DemoArgs;
