// Command-line parsing for the demo: every option checked, with usage text on bad input.
import { COLOUR_CHOICES, isLoopbackHost, type BackendChoice, type ColourChoice, type PresentMode } from "../src/index.js";


export const USAGE = `usage: scanout-demo [options]     (from a checkout: npm run demo -- [options])
  --backend NAME     headless | wayland | wayland-shm | wayland-dmabuf | kms (default: automatic:
                     wayland when WAYLAND_DISPLAY is set, else kms when a DRM card exists, else headless)
  --scene NAME       triangle | mesh | hdr (default: mesh; hdr: the room with a 1000 cd/m² light over its cube)
  --color NAME       srgb | display-p3 | hdr10 | scrgb | auto: encode frames for this colour (hdr10: PQ,
                     BT.2020, 10-bit, SDR white at 203 cd/m²; scrgb: linear FP16, 1.0 = 80 cd/m²; auto:
                     the compositor's preference); one the path cannot show becomes the nearest it can
                     (default: srgb)
  --time SECONDS     freeze the scene's clock at this time: every frame shows the same instant
  --frames N         frames to render (default: 120; 0 with a window or display means until closed)
  --size WxH         target size in pixels (default: 640x480)
  --out FILE.png     write the last frame as PNG (default: demo.png when headless, none otherwise)
  --model FILE.obj   mesh scene: OBJ model (default: a generated room)
  --texture FILE.png mesh scene: texture for the model (default: the generated room's)
  --up y|z           mesh scene: the model's up axis; z for Blender/CAD exports (default: y)
  --connector NAME   kms: connector name, e.g. Virtual-1 (default: the first connected one); all or
                     NAME,NAME... drives several outputs (see --layout)
  --layout L         kms: extend | clone: several outputs side by side, each showing its part of one
                     picture, or the same picture on each (default: extend)
  --rotate DEG       kms: 0 | 90 | 180 | 270: turn the picture counter-clockwise, by the planes'
                     rotation where they have it, else rendered turned (default: 0)
  --mode WxH[@Hz]    kms: display mode (default: the connector's preferred mode)
  --present-mode M   fifo | mailbox | immediate: one frame per refresh; newest finished frame at each
                     refresh; tearing allowed where the display path permits (default: fifo)
  --max-fps N        cap the frame rate whatever the mode (default: no cap)
  --validation       enable the Khronos validation layer (default: off)
  --trace FILE.json  write a frame timeline as Chrome / Perfetto trace JSON (default: none)
  --status [HOST:]PORT
                     serve a live status page in the browser while frames run, e.g. --status 8080
                     (default: off; HOST: 127.0.0.1; PORT 0 picks a free one; the page's address is printed)
  --status-allow-remote
                     let --status listen on a non-loopback HOST such as 0.0.0.0 (default: refused,
                     since the page has no login and shows the log)
  --inhibit-idle     window: keep the screen from blanking while the demo runs (idle-inhibit)
  --icon FILE.png    window: the window's icon (xdg-toplevel-icon; KWin, labwc show it)
  --list-devices     print the Vulkan devices and exit
  --help             this text`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface DemoArgs {
  backend?: BackendChoice;
  scene?: string;
  color?: ColourChoice;
  time?: number;
  frames: number;
  size: [number, number];
  out?: string;
  model?: string;
  texture?: string;
  up: "y" | "z";
  connector?: string;
  /** kms over several outputs: "all" or names (set by --connector all|A,B, or by --layout/--rotate). */
  connectors?: "all" | string[];
  layout?: "extend" | "clone";
  rotate?: 0 | 90 | 180 | 270;
  mode?: string;
  presentMode?: PresentMode;
  maxFps?: number;
  validation: boolean;
  trace?: string;
  status?: { host?: string; port: number };
  statusAllowRemote: boolean;
  listDevices: boolean;
  /** Keep the screen awake while the window shows (Wayland idle-inhibit). */
  inhibitIdle: boolean;
  /** A PNG for the window's icon. */
  icon?: string;
  help: boolean;
}

const backends: readonly string[] = ["headless", "wayland", "wayland-shm", "wayland-dmabuf", "kms"];
const presentModes: readonly string[] = ["fifo", "mailbox", "immediate"];

export function parseSize(text: string, what = "--size"): [number, number] {
  const m = /^(\d{1,5})x(\d{1,5})$/.exec(text);
  const w = m ? Number(m[1]) : NaN;
  const h = m ? Number(m[2]) : NaN;
  if (!m || w <= 0 || h <= 0) throw new UsageError(`${what}: expected WIDTHxHEIGHT with positive integers (e.g. 640x480), got '${text}'`);
  return [w, h];
}

/** [HOST:]PORT, HOST an IPv4 address, a name or a bracketed IPv6 address ([::1]:8080). */
export function parseListenAddress(text: string, what: string): { host?: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`${what}: expected [HOST:]PORT with PORT 0-65535 (e.g. 8080 or 127.0.0.1:8080), got '${text}'`);
  const host = m[1]?.replace(/^\[(.*)\]$/, "$1");
  return host === undefined ? { port } : { host, port };
}

function checkStatusAddress({ status, statusAllowRemote }: DemoArgs): void {
  if (statusAllowRemote && !status) throw new UsageError("--status-allow-remote needs --status [HOST:]PORT");
  if (status?.host !== undefined && !statusAllowRemote && !isLoopbackHost(status.host)) {
    throw new UsageError(
      `--status: ${status.host} is not a loopback address, so other machines could read the status page (it has no login); ` +
        "add --status-allow-remote to serve it beyond this machine",
    );
  }
}

export function parseArgs(argv: readonly string[]): DemoArgs {
  const args: DemoArgs = { frames: 120, size: [640, 480], up: "y", validation: false, statusAllowRemote: false, listDevices: false, inhibitIdle: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--backend": {
        const b = value();
        if (!backends.includes(b)) throw new UsageError(`--backend: unknown backend '${b}' (one of ${backends.join(", ")})`);
        args.backend = b as BackendChoice;
        break;
      }
      case "--scene":
        args.scene = value();
        break;
      case "--color": {
        const c = value();
        if (!(COLOUR_CHOICES as readonly string[]).includes(c)) throw new UsageError(`--color: unknown colour '${c}' (one of ${COLOUR_CHOICES.join(", ")})`);
        args.color = c as ColourChoice;
        break;
      }
      case "--time": {
        const v = value();
        const t = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(t)) throw new UsageError(`--time: expected seconds (a number >= 0), got '${v}'`);
        args.time = t;
        break;
      }
      case "--present-mode": {
        const m = value();
        if (!presentModes.includes(m)) throw new UsageError(`--present-mode: unknown mode '${m}' (one of ${presentModes.join(", ")})`);
        args.presentMode = m as PresentMode;
        break;
      }
      case "--max-fps": {
        const v = value();
        const n = Number(v);
        if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--max-fps: expected a positive number, got '${v}'`);
        args.maxFps = n;
        break;
      }
      case "--frames": {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--frames: expected a whole number, got '${v}'`);
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
      case "--up": {
        const v = value();
        if (v !== "y" && v !== "z") throw new UsageError(`--up: expected y or z, got '${v}'`);
        args.up = v;
        break;
      }
      case "--connector": {
        const v = value();
        const names = v.split(",").map((n) => n.trim());
        if (names.some((n) => n === "") || (names.length > 1 && names.includes("all"))) throw new UsageError(`--connector: expected all or NAME[,NAME...], got '${v}'`);
        if (v === "all" || names.length > 1) args.connectors = v === "all" ? "all" : names;
        else args.connector = v;
        break;
      }
      case "--layout": {
        const v = value();
        if (v !== "extend" && v !== "clone") throw new UsageError(`--layout: expected extend or clone, got '${v}'`);
        args.layout = v;
        break;
      }
      case "--rotate": {
        const v = value();
        if (!["0", "90", "180", "270"].includes(v)) throw new UsageError(`--rotate: expected 0, 90, 180 or 270, got '${v}'`);
        args.rotate = Number(v) as 0 | 90 | 180 | 270;
        break;
      }
      case "--mode":
        args.mode = value();
        break;
      case "--trace":
        args.trace = value();
        break;
      case "--status":
        args.status = parseListenAddress(value(), "--status");
        break;
      case "--status-allow-remote":
        args.statusAllowRemote = true;
        break;
      case "--validation":
        args.validation = true;
        break;
      case "--list-devices":
        args.listDevices = true;
        break;
      case "--inhibit-idle":
        args.inhibitIdle = true;
        break;
      case "--icon":
        args.icon = value();
        break;
      case "--help":
      case "-h":
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown option '${flag}'`);
    }
  }
  checkStatusAddress(args);
  // --layout and --rotate are the several-outputs presenter's: one named connector is a list of one there
  if (!args.connectors && (args.layout !== undefined || args.rotate !== undefined)) {
    args.connectors = args.connector ? [args.connector] : "all";
    args.connector = undefined;
  }
  if (args.connectors && args.backend && args.backend !== "kms") throw new UsageError(`--connector/--layout/--rotate are for --backend kms, not ${args.backend}`);
  return args;
}
