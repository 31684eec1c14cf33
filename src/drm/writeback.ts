// Writeback connectors: reading back what a CRTC composes (every plane, blended, after the CRTC's
// colour management), the way a test or a screenshot tool sees the real output. A writeback
// connector (type Writeback) is listed only to clients that set DRM_CLIENT_CAP_WRITEBACK_CONNECTORS
// (which needs atomic). It is routed to a CRTC like any connector (a modeset), then each atomic
// commit that sets its WRITEBACK_FB_ID writes one composed frame into that framebuffer and signals
// the sync file the kernel puts at WRITEBACK_OUT_FENCE_PTR when it is done.
import { close } from "../sys/libc.js";
import { waitSyncFile } from "../sys/sync-file.js";
import { AtomicError, AtomicRequest } from "./atomic.js";
import type { DrmDevice } from "./device.js";
import { DumbBuffer } from "./dumb.js";
import { DrmError, DrmUnavailableError } from "./error.js";
import { addr } from "./ioctl.js";
import { fourcc, fourccName, type ConnectorId, type CrtcId, type FbId } from "./types.js";
import { toRgba } from "../util/rgba.js";

/** "AB24": R G B A bytes in memory, what WritebackFrame.data holds, so no conversion when the connector offers it. */
const ABGR8888 = fourcc("AB24");
const XRGB8888 = fourcc("XR24");
const ARGB8888 = fourcc("AR24");
/** "AR48" / "XR48": 16 bits per channel, B G R A (X) u16 in memory. */
const ARGB16161616 = fourcc("AR48");
const XRGB16161616 = fourcc("XR48");

/** A writeback connector of a device: its id and name (Writeback-1) and the CRTCs and pixel formats it can write. */
export interface WritebackConnector {
  id: ConnectorId;
  name: string;
  possibleCrtcs: CrtcId[];
  /** fourcc codes from its WRITEBACK_PIXEL_FORMATS blob. */
  formats: number[];
}

/** One captured frame, 8 bits per channel: tightly packed RGBA rows (the shape of a presenter's Pixels). */
export interface WritebackFrame {
  width: number;
  height: number;
  /** R, G, B, A bytes per pixel, width * 4 bytes per row; A is 255 where the written format has no alpha. */
  data: Uint8Array;
  /** The fourcc the kernel wrote (before conversion to RGBA). */
  format: number;
  crtc: CrtcId;
  connector: ConnectorId;
}

/** One captured frame, 16 bits per channel (for 16-bpc planes and colour pipelines): tightly packed RGBA u16. */
export interface WritebackFrame16 {
  width: number;
  height: number;
  /** R, G, B, A values 0..65535 per pixel, width * 4 values per row. */
  data: Uint16Array;
  format: number;
  crtc: CrtcId;
  connector: ConnectorId;
}

/** Options of WritebackCapture.capture. */
export interface CaptureOptions {
  /** Bits per channel of the result (default 8); 16 needs a connector that writes XRGB16161616 or ARGB16161616. */
  depth?: 8 | 16;
  /** How long to wait for the kernel to write the frame (default 5000 ms). */
  timeoutMs?: number;
}

/** Options of WritebackCapture.attach. */
export interface AttachOptions {
  /** Which writeback connector (default: the first that can capture the CRTC). */
  connector?: ConnectorId;
  /**
   * When the driver cannot feed the writeback connector and the CRTC's other connectors at once (no
   * clone: vkms before 6.19 for one), route the others away while attached and back at detach()
   * (default true); false throws instead.
   */
  detachOthers?: boolean;
}

/** Lists writeback connectors to this fd (turning DRM_CLIENT_CAP_WRITEBACK_CONNECTORS on). Throws DrmUnavailableError when the driver refuses the capability. */
export function writebackConnectors(dev: DrmDevice): WritebackConnector[] {
  enableWriteback(dev);
  const res = dev.resources();
  return res.connectors
    .map((id) => dev.connector(id))
    .filter((c) => c.type === "Writeback")
    .map((c) => {
      const props = dev.properties("connector", c.id);
      const blob = props.has("WRITEBACK_PIXEL_FORMATS") ? props.blob("WRITEBACK_PIXEL_FORMATS") : undefined;
      const bytes = blob === undefined ? undefined : dev.blob(blob);
      const formats = bytes ? [...new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2)] : [];
      const possibleCrtcs = [...new Set(c.encoders.flatMap((e) => dev.encoder(e, res.crtcs).possibleCrtcs))];
      return { id: c.id, name: c.name, possibleCrtcs, formats };
    });
}

function enableWriteback(dev: DrmDevice): void {
  if (!dev.atomic) throw new DrmUnavailableError(`${dev.path}: writeback needs atomic modesetting, which this device or fd lacks`);
  try {
    dev.setClientCap("writebackConnectors", 1);
  } catch (e) {
    throw new DrmUnavailableError(`${dev.path}: the driver refuses DRM_CLIENT_CAP_WRITEBACK_CONNECTORS (${e instanceof Error ? e.message : e}); it has no writeback`, e);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Commits, retrying for up to a second while another nonblocking commit (a presenter's flip) is still pending (EBUSY). */
async function commitWhenIdle(req: AtomicRequest, allowModeset: boolean): Promise<void> {
  for (let waited = 0; ; waited += 5) {
    try {
      req.commit({ allowModeset });
      return;
    } catch (e) {
      if (!(e instanceof AtomicError && e.code === "EBUSY") || waited >= 1000) throw e;
      await sleep(5);
    }
  }
}

/**
 * A writeback connector routed to one CRTC, capturing what it shows: attach() once (a modeset),
 * capture() any number of times (plain commits that can go between a presenter's flips, on the same
 * DrmDevice since they need DRM master), detach() at the end. Made by WritebackCapture.attach.
 */
export class WritebackCapture {
  private attached = true;

  private constructor(
    /** The device it captures on (the one with DRM master: a presenter's own DrmDevice). */
    readonly dev: DrmDevice,
    /** The CRTC whose output it captures. */
    readonly crtc: CrtcId,
    /** The writeback connector routed to it. */
    readonly connector: WritebackConnector,
    /** Connectors routed away from the CRTC for the capture (drivers without clone); routed back at detach. */
    private readonly displaced: ConnectorId[],
  ) {}

  /**
   * Routes a writeback connector to `crtc`, which must be active (a mode set). Throws
   * DrmUnavailableError when the device has no writeback connector for that CRTC, DrmError when the
   * CRTC is off, AtomicError when the kernel refuses the routing.
   */
  static async attach(dev: DrmDevice, crtc: CrtcId, options: AttachOptions = {}): Promise<WritebackCapture> {
    const all = writebackConnectors(dev);
    const wb = options.connector === undefined ? all.find((c) => c.possibleCrtcs.includes(crtc)) : all.find((c) => c.id === options.connector);
    if (!wb) {
      const list = all.map((c) => `${c.name} (id ${c.id}, crtcs ${c.possibleCrtcs.join(",")})`).join(", ") || "none";
      const which = options.connector === undefined ? "no writeback connector" : `no writeback connector with id ${options.connector}`;
      throw new DrmUnavailableError(`${dev.path}: ${which} can capture crtc ${crtc} (writeback connectors: ${list})`);
    }
    if (!wb.possibleCrtcs.includes(crtc)) throw new DrmError(`${dev.path}: writeback connector ${wb.name} cannot capture crtc ${crtc} (only ${wb.possibleCrtcs.join(", ")})`);
    if (!dev.crtc(crtc).mode) throw new DrmError(`${dev.path}: crtc ${crtc} is off; writeback captures what an active CRTC shows`);
    if (dev.properties("connector", wb.id).number("CRTC_ID") === crtc) return new WritebackCapture(dev, crtc, wb, []);
    const route = new AtomicRequest(dev).connector(wb.id, { CRTC_ID: crtc });
    try {
      route.commit({ allowModeset: true, testOnly: true });
    } catch (e) {
      if (!(e instanceof AtomicError) || options.detachOthers === false) throw e;
      // no clone with the CRTC's other connectors: they leave while the writeback connector is attached
      const others = dev.resources().connectors.filter((c) => c !== wb.id && dev.properties("connector", c).number("CRTC_ID") === crtc);
      for (const c of others) route.connector(c, { CRTC_ID: undefined });
      await commitWhenIdle(route, true);
      return new WritebackCapture(dev, crtc, wb, others);
    }
    await commitWhenIdle(route, true);
    return new WritebackCapture(dev, crtc, wb, []);
  }

  /** Captures the CRTC's next composed frame as RGBA (8 bits per channel by default, 16 with depth 16). */
  capture(options?: CaptureOptions & { depth?: 8 }): Promise<WritebackFrame>;
  capture(options: CaptureOptions & { depth: 16 }): Promise<WritebackFrame16>;
  async capture(options: CaptureOptions = {}): Promise<WritebackFrame | WritebackFrame16> {
    if (!this.attached) throw new DrmError(`writeback ${this.connector.name}: capture after detach`);
    const depth = options.depth ?? 8;
    const mode = this.dev.crtc(this.crtc).mode;
    if (!mode) throw new DrmError(`${this.dev.path}: crtc ${this.crtc} is off; writeback captures what an active CRTC shows`);
    const format = this.pickFormat(depth);
    const { hdisplay: width, vdisplay: height } = mode;
    const buf = DumbBuffer.create(this.dev, width, height, depth === 16 ? 64 : 32);
    let fb: FbId | undefined;
    let fence = -1;
    try {
      fb = this.dev.addFramebuffer({ width, height, format, handles: [buf.handle], pitches: [buf.pitch], offsets: [0] });
      const fencePtr = Buffer.alloc(4);
      fencePtr.writeInt32LE(-1, 0);
      await commitWhenIdle(new AtomicRequest(this.dev).connector(this.connector.id, { CRTC_ID: this.crtc, WRITEBACK_FB_ID: fb, WRITEBACK_OUT_FENCE_PTR: addr(fencePtr) }), false);
      fence = fencePtr.readInt32LE(0);
      const timeoutMs = options.timeoutMs ?? 5000;
      if (fence >= 0 && !(await waitSyncFile(fence, timeoutMs)))
        throw new DrmError(`writeback ${this.connector.name} on crtc ${this.crtc}: the frame was not written within ${timeoutMs} ms`);
      const base = { width, height, format, crtc: this.crtc, connector: this.connector.id };
      return depth === 16 ? { ...base, data: toRgba16(buf, format) } : { ...base, data: toRgba8(buf, format) };
    } finally {
      if (fence >= 0) close(fence);
      if (fb !== undefined) this.dev.removeFramebuffer(fb);
      buf.destroy();
    }
  }

  /** Unroutes the writeback connector and routes back the connectors it displaced (a modeset). Idempotent; nothing to do once the device is closed. */
  async detach(): Promise<void> {
    if (!this.attached) return;
    this.attached = false;
    if (this.dev.closed) return;
    const req = new AtomicRequest(this.dev).connector(this.connector.id, { CRTC_ID: undefined });
    for (const c of this.displaced) req.connector(c, { CRTC_ID: this.crtc });
    await commitWhenIdle(req, true);
  }

  private pickFormat(depth: 8 | 16): number {
    const order = depth === 16 ? [ARGB16161616, XRGB16161616] : [ABGR8888, XRGB8888, ARGB8888];
    const f = order.find((x) => this.connector.formats.includes(x));
    if (f === undefined) throw new DrmUnavailableError(`writeback ${this.connector.name} writes none of the ${depth}-bit formats we read (it offers ${this.connector.formats.map(fourccName).join(", ")})`);
    return f;
  }
}

/**
 * Captures one frame of `crtc` (attach, capture, detach): what the display shows right now, as RGBA.
 * For several captures (or during a presenter's frames) keep a WritebackCapture instead.
 */
export async function captureCrtc(dev: DrmDevice, crtc: CrtcId, options: CaptureOptions & AttachOptions & { depth?: 8 } = {}): Promise<WritebackFrame> {
  const wb = await WritebackCapture.attach(dev, crtc, options);
  try {
    return await wb.capture({ ...options, depth: 8 });
  } finally {
    await wb.detach();
  }
}

/** The written pixels as packed RGBA8: AB24 is that already; XR24/AR24 swap R and B (X gives alpha 255). */
function toRgba8(buf: DumbBuffer, format: number): Uint8Array {
  return toRgba(new Uint8Array(buf.pixels.buffer), buf.width, buf.height, buf.pitch, format !== ABGR8888, format === XRGB8888);
}

/** AR48/XR48 (u16 B, G, R, A/X) as packed RGBA16. */
function toRgba16(buf: DumbBuffer, format: number): Uint16Array {
  const { width, height, pitch } = buf;
  const bytes = buf.pixels.buffer;
  const out = new Uint16Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = new Uint16Array(bytes, y * pitch, width * 4);
    const o = y * width * 4;
    for (let x = 0; x < width * 4; x += 4) {
      out[o + x] = row[x + 2]!;
      out[o + x + 1] = row[x + 1]!;
      out[o + x + 2] = row[x]!;
      out[o + x + 3] = format === XRGB16161616 ? 0xffff : row[x + 3]!;
    }
  }
  return out;
}
