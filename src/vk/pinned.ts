// nvk rebuilds the native copy of every array member (pCommandBuffers, pClearValues, ...) each time
// a struct is passed to a call, allocating on every frame. For structs the frame loop reuses, we
// build the native array once and write its address into the struct ourselves, leaving nvk's JS
// field empty so its flush skips it.

interface NvkStruct {
  memoryView: DataView;
  constructor: unknown;
}
interface NvkItem {
  memoryBuffer: ArrayBuffer;
}

import { nativeBuffers } from "./nvk.js";

const keepAlive = new WeakMap<object, Map<string, ArrayBuffer>>();

/**
 * Points struct.field at a native array holding a copy of items' bytes. Returns that array's bytes,
 * which the caller may rewrite later (e.g. new clear colours) without re-pinning.
 */
export function pinArray(struct: object, field: string, nvkObjects: readonly object[]): Uint8Array {
  const s = struct as NvkStruct;
  const items = nvkObjects as readonly NvkItem[];
  const layout = (s.constructor as { memoryLayout: Record<string, { byteOffset: number }> }).memoryLayout[field];
  if (!layout) throw new TypeError(`pinArray: ${(s.constructor as { name: string }).name} has no field ${field}`);
  const itemSize = items.length ? items[0]!.memoryBuffer.byteLength : 0;
  const native = new ArrayBuffer(Math.max(8, itemSize * items.length));
  const bytes = new Uint8Array(native);
  items.forEach((item, i) => bytes.set(new Uint8Array(item.memoryBuffer, 0, itemSize), i * itemSize));
  s.memoryView.setBigInt64(layout.byteOffset, items.length ? nativeBuffers.getAddress(native) : 0n, true);
  let kept = keepAlive.get(struct);
  if (!kept) keepAlive.set(struct, (kept = new Map()));
  kept.set(field, native);
  return bytes;
}
