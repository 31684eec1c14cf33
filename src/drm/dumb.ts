// Dumb buffers: CPU-mapped scanout memory every KMS driver offers. Used for test patterns and as the
// presenter's fallback when a Vulkan dmabuf cannot be imported.
import { mmap, type Mapping } from "../sys/libc.js";
import { destroyById } from "./buffers.js";
import type { DrmDevice } from "./device.js";
import { DrmError } from "./error.js";
import { drmIoctl } from "./ioctl.js";
import { DRM_FORMAT_XRGB8888, type FbId } from "./types.js";

/**
 * A dumb buffer: CPU-mapped scanout memory that every KMS driver offers, for test patterns and CPU-drawn frames.
 * Rows are `pitch` bytes apart (at least width * 4). Made with DumbBuffer.create; free it with destroy().
 */
export class DumbBuffer {
  private mapping: Mapping | undefined;
  private fbId: FbId | undefined;
  private destroyed = false;

  private constructor(
    private readonly dev: DrmDevice,
    readonly width: number,
    readonly height: number,
    readonly handle: number,
    readonly pitch: number,
    readonly size: number,
  ) {}

  /** A width x height buffer of 32 bits per pixel (XRGB8888). */
  static create(dev: DrmDevice, width: number, height: number, bpp = 32): DumbBuffer {
    const a = Buffer.alloc(32);
    a.writeUInt32LE(height, 0);
    a.writeUInt32LE(width, 4);
    a.writeUInt32LE(bpp, 8);
    drmIoctl(dev.fd, "MODE_CREATE_DUMB", a, `dumb buffer ${width}x${height}x${bpp}`);
    const size = Number(a.readBigUInt64LE(24));
    const pitch = a.readUInt32LE(20);
    if (pitch < (width * bpp) / 8 || size < pitch * height)
      throw new DrmError(`dumb buffer ${width}x${height}: kernel returned pitch ${pitch}, size ${size}`);
    return new DumbBuffer(dev, width, height, a.readUInt32LE(16), pitch, size);
  }

  /** The pixels, mapped once and kept (one view per address, see DESIGN). */
  get pixels(): Mapping {
    if (!this.mapping) {
      const a = Buffer.alloc(16);
      a.writeUInt32LE(this.handle, 0);
      drmIoctl(this.dev.fd, "MODE_MAP_DUMB", a, `dumb buffer handle ${this.handle}`);
      this.mapping = mmap(this.dev.fd, this.size, undefined, Number(a.readBigUInt64LE(8)));
    }
    return this.mapping;
  }

  /** An XRGB8888 framebuffer over this buffer, created once. */
  get fb(): FbId {
    this.fbId ??= this.dev.addFramebuffer({
      width: this.width, height: this.height, format: DRM_FORMAT_XRGB8888,
      handles: [this.handle], pitches: [this.pitch], offsets: [0],
    });
    return this.fbId;
  }

  /** Fills with a recognisable pattern: colour bars shifted by `frame`, plus a white frame counter bar. */
  fillPattern(frame = 0): void {
    const px = new Uint32Array(this.pixels.buffer);
    const stride = this.pitch / 4;
    const bars = [0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000];
    const barW = Math.max(1, Math.ceil(this.width / bars.length));
    const row = new Uint32Array(this.width);
    for (let x = 0; x < this.width; x++) row[x] = bars[Math.floor(((x + frame * 8) % this.width) / barW) % bars.length];
    for (let y = 0; y < this.height; y++) px.set(row, y * stride);
  }

  /** Writes tightly packed rows (width * bytesPerPixel bytes each, XRGB8888 by default) into the buffer's pitched rows. */
  write(packed: Uint8Array, bytesPerPixel = 4): void {
    const row = this.width * bytesPerPixel;
    if (packed.length < row * this.height) throw new RangeError(`dumb buffer ${this.width}x${this.height}: ${packed.length} bytes are fewer than ${row * this.height}`);
    const dst = new Uint8Array(this.pixels.buffer);
    if (this.pitch === row) dst.set(packed.subarray(0, row * this.height));
    else for (let y = 0; y < this.height; y++) dst.set(packed.subarray(y * row, (y + 1) * row), y * this.pitch);
  }

  /** Fills every pixel with one XRGB8888 colour, e.g. 0xff0000 for red (the top byte is ignored). */
  fill(xrgb: number): void {
    const px = new Uint32Array(this.pixels.buffer);
    const stride = this.pitch / 4;
    for (let y = 0; y < this.height; y++) px.fill(xrgb, y * stride, y * stride + this.width);
  }

  /**
   * Unmaps the pixels, removes the framebuffer (if fb was read) and frees the buffer. Idempotent; does nothing
   * more once the device is closed (closing the fd freed them).
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.dev.closed) return; // closing the fd freed everything
    this.mapping?.unmap();
    this.mapping = undefined;
    if (this.fbId !== undefined) this.dev.removeFramebuffer(this.fbId);
    destroyById(this.dev.fd, "MODE_DESTROY_DUMB", this.handle, `dumb buffer handle ${this.handle}`);
  }
}
