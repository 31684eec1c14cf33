// Byte buffers that system calls read and write in place. The memory of an ArrayBuffer made with
// `new ArrayBuffer(n)` lives outside the JS heap and never moves, so its address, taken once, can be
// written into structures such as an iovec: the kernel then fills or drains the very bytes the JS
// side reads, with no copy and no allocation per call.
import { koffi } from "./libc.js";

/** A fixed-size byte buffer with a known address; the buffer keeps the memory alive. */
export class NativeBytes {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Address of bytes[0] (user-space addresses fit in a double exactly). */
  readonly address: number;

  constructor(readonly size: number) {
    const buffer = new ArrayBuffer(size);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.address = Number(koffi.address(buffer));
  }
}

const TWO_32 = 2 ** 32;

/** Stores a 64-bit little-endian pointer without making a BigInt. */
export function setPointer(view: DataView, at: number, address: number): void {
  view.setUint32(at, address >>> 0, true);
  view.setUint32(at + 4, Math.floor(address / TWO_32), true);
}

/** Stores a 64-bit little-endian size_t that fits in 32 bits. */
export function setSize(view: DataView, at: number, value: number): void {
  view.setUint32(at, value, true);
  view.setUint32(at + 4, 0, true);
}
