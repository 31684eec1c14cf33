export const USAGE = `usage: npm run demo -- [options]
  --backend NAME     headless | wayland | wayland-shm | wayland-dmabuf | kms (default: automatic)
  --scene NAME       triangle | mesh (default: mesh when available, else triangle)
  --frames N         frames to render (default 120; 0 with a window means until closed)
  --size WxH         target size in pixels (default 640x480)
  --out FILE.png     write the last frame as PNG (headless default: demo.png)
  --model FILE.obj   mesh scene: OBJ model (default: a generated one)
  --texture FILE.png mesh scene: texture for the model
  --connector NAME   kms: connector name (e.g. Virtual-1)
  --mode WxH[@Hz]    kms: display mode
  --validation       enable the Khronos validation layer
  --trace FILE.json  write a frame timeline (Chrome / Perfetto trace JSON)
  --list-devices     print the Vulkan devices and exit
  --help             this text`;
export class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = "UsageError";
    }
}
const backends = ["headless", "wayland", "wayland-shm", "wayland-dmabuf", "kms"];
export function parseSize(text, what = "--size") {
    const m = /^(\d{1,5})x(\d{1,5})$/.exec(text);
    const w = m ? Number(m[1]) : NaN;
    const h = m ? Number(m[2]) : NaN;
    if (!m || w <= 0 || h <= 0)
        throw new UsageError(`${what}: expected WIDTHxHEIGHT with positive integers (e.g. 640x480), got '${text}'`);
    return [w, h];
}
export function parseArgs(argv) {
    const args = { frames: 120, size: [640, 480], validation: false, listDevices: false, help: false };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--"))
                throw new UsageError(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--backend": {
                const b = value();
                if (!backends.includes(b))
                    throw new UsageError(`--backend: unknown backend '${b}' (one of ${backends.join(", ")})`);
                args.backend = b;
                break;
            }
            case "--scene":
                args.scene = value();
                break;
            case "--frames": {
                const v = value();
                if (!/^\d+$/.test(v))
                    throw new UsageError(`--frames: expected a whole number, got '${v}'`);
                args.frames = Number(v);
                break;
            }
            case "--size":
                args.size = parseSize(value());
                break;
            case "--out":
                args.out = value();
                break;
            case "--model":
                args.model = value();
                break;
            case "--texture":
                args.texture = value();
                break;
            case "--connector":
                args.connector = value();
                break;
            case "--mode":
                args.mode = value();
                break;
            case "--trace":
                args.trace = value();
                break;
            case "--validation":
                args.validation = true;
                break;
            case "--list-devices":
                args.listDevices = true;
                break;
            case "--help":
            case "-h":
                args.help = true;
                break;
            default:
                throw new UsageError(`unknown option '${flag}'`);
        }
    }
    return args;
}
//# sourceMappingURL=cli-args.js.map