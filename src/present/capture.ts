// frame.capture(): a copy of the target into a host-visible buffer, recorded after the scene's
// commands, and read back once the frame's fence has signalled. Only frames that ask pay for it.
import { Buffer, BufferUsage, Format, type Device } from "../vk/index.js";
import type { Slot } from "./slot.js";

/** Records the copy of the slot's target into its readback buffer (made or resized on demand). */
export function recordCapture(device: Device, slot: Slot): void {
  const { image } = slot.target;
  const size = image.width * image.height * 4;
  if (!slot.readback || slot.readback.size !== size) {
    if (slot.readback) device.retire(slot.readback);
    slot.readback = Buffer.create(device, { size, usage: BufferUsage.transferDst, memory: "host", what: "capture readback" });
  }
  slot.cmd.copyImageToBuffer(image, slot.readback, slot.target.finalLayout);
}

/** Resolves the slot's capture request with its pixels once the GPU is done (waits for the fence). */
export function finishCapture(slot: Slot): void {
  const request = slot.captureRequest;
  if (!request) return;
  slot.captureRequest = undefined;
  try {
    slot.settle();
    const { width, height, format } = slot.target;
    const bgra = format === Format.VK_FORMAT_B8G8R8A8_UNORM || format === Format.VK_FORMAT_B8G8R8A8_SRGB;
    request.resolve({ width, height, data: toRgba(new Uint8Array(slot.readback!.mapped), width, height, width * 4, bgra) });
  } catch (error) {
    request.reject(error);
  }
}

/** BGRA or RGBA bytes with row pitch → tightly packed RGBA. */
export function toRgba(src: Uint8Array, width: number, height: number, stride: number, bgra: boolean): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = src.subarray(y * stride, y * stride + width * 4);
    const o = y * width * 4;
    if (!bgra) {
      out.set(row, o);
      continue;
    }
    for (let x = 0; x < width * 4; x += 4) {
      out[o + x] = row[x + 2]!;
      out[o + x + 1] = row[x + 1]!;
      out[o + x + 2] = row[x]!;
      out[o + x + 3] = row[x + 3]!;
    }
  }
  return out;
}
