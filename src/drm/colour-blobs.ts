// The bytes of KMS colour blobs (include/uapi/drm/drm_mode.h): struct drm_color_lut arrays for a
// CRTC's GAMMA_LUT / DEGAMMA_LUT, struct drm_color_lut32 arrays for 1D LUT colorops, struct
// drm_color_ctm (3x3) for a CRTC's CTM and struct drm_color_ctm_3x4 for a matrix colorop's DATA.
// Matrix entries are S31.32 *sign-magnitude* (bit 63 the sign, not two's complement). Pure code.
import { PropertyError } from "./error.js";

/** One LUT entry: red, green and blue outputs, each 0..1. */
export type LutEntry = readonly [r: number, g: number, b: number];

/** A LUT of `size` entries sampling fn at x = i / (size - 1); fn gives one value for all channels or [r, g, b]. */
export function sampleLut(size: number, fn: (x: number) => number | LutEntry): LutEntry[] {
  if (!Number.isInteger(size) || size < 2) throw new PropertyError(`LUT size ${size}: needs at least 2 entries`);
  return Array.from({ length: size }, (_, i) => {
    const v = fn(i / (size - 1));
    return typeof v === "number" ? [v, v, v] : v;
  });
}

function unorm(what: string, v: number, max: number): number {
  if (!(v >= 0 && v <= 1)) throw new PropertyError(`${what}: ${v} is outside [0, 1]`);
  return Math.round(v * max);
}

/** struct drm_color_lut[] (u16 red, green, blue, reserved; 0xffff = 1.0): a GAMMA_LUT or DEGAMMA_LUT blob. */
export function encodeColorLut(entries: readonly LutEntry[]): Uint8Array {
  const b = Buffer.alloc(entries.length * 8);
  entries.forEach((e, i) => e.forEach((v, c) => b.writeUInt16LE(unorm(`LUT entry ${i} channel ${c}`, v, 0xffff), i * 8 + c * 2)));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** struct drm_color_lut32[] (u32 red, green, blue, reserved; 0xffffffff = 1.0): the DATA of a "1D LUT" colorop. */
export function encodeColorLut32(entries: readonly LutEntry[]): Uint8Array {
  const b = Buffer.alloc(entries.length * 16);
  entries.forEach((e, i) => e.forEach((v, c) => b.writeUInt32LE(unorm(`LUT entry ${i} channel ${c}`, v, 0xffffffff), i * 16 + c * 4)));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** The entries of a drm_color_lut blob, as 0..1 numbers (u16 / 0xffff). */
export function decodeColorLut(blob: Uint8Array): LutEntry[] {
  if (blob.length % 8) throw new PropertyError(`colour LUT blob: ${blob.length} bytes is not a whole number of 8-byte entries`);
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  return Array.from({ length: b.length / 8 }, (_, i) => [0, 1, 2].map((c) => b.readUInt16LE(i * 8 + c * 2) / 0xffff) as unknown as LutEntry);
}

/** x as S31.32 sign-magnitude, the kernel's matrix coefficient format (|x| < 2^31). */
export function toS3132(x: number): bigint {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 31) throw new PropertyError(`matrix coefficient ${x} is outside S31.32 (|x| < 2^31)`);
  const magnitude = BigInt(Math.round(Math.abs(x) * 2 ** 32));
  return x < 0 || Object.is(x, -0) ? magnitude | (1n << 63n) : magnitude;
}

/** The number an S31.32 sign-magnitude value stands for. */
export function fromS3132(v: bigint): number {
  const magnitude = Number(v & ((1n << 63n) - 1n)) / 2 ** 32;
  return v >> 63n ? -magnitude : magnitude;
}

function encodeMatrix(what: string, m: readonly number[], n: number): Uint8Array {
  if (m.length !== n) throw new PropertyError(`${what}: ${m.length} coefficients, expected ${n} (row-major)`);
  const b = Buffer.alloc(n * 8);
  m.forEach((x, i) => b.writeBigUInt64LE(toS3132(x), i * 8));
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

/** struct drm_color_ctm: a 3x3 matrix, row-major (out R = m[0] R + m[1] G + m[2] B), for a CRTC's CTM property. */
export function encodeCtm(matrix: readonly number[]): Uint8Array {
  return encodeMatrix("CTM", matrix, 9);
}

/** struct drm_color_ctm_3x4: a 3x4 matrix, row-major, the 4th column an offset (out R = m[0] R + m[1] G + m[2] B + m[3]), for a "3x4 Matrix" colorop's DATA. */
export function encodeCtm3x4(matrix: readonly number[]): Uint8Array {
  return encodeMatrix("3x4 matrix", matrix, 12);
}

/** The coefficients of a drm_color_ctm or drm_color_ctm_3x4 blob, row-major. */
export function decodeMatrix(blob: Uint8Array): number[] {
  if (blob.length !== 72 && blob.length !== 96) throw new PropertyError(`matrix blob: ${blob.length} bytes is neither a 3x3 (72) nor a 3x4 (96) matrix`);
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  return Array.from({ length: b.length / 8 }, (_, i) => fromS3132(b.readBigUInt64LE(i * 8)));
}

/** The identity 3x3 matrix, row-major. */
export const IDENTITY_3X3: readonly number[] = [1, 0, 0, 0, 1, 0, 0, 0, 1];
/** The 3x4 form of a 3x3 matrix (zero offsets). */
export function ctm3x4(m3: readonly number[], offset: readonly [number, number, number] = [0, 0, 0]): number[] {
  if (m3.length !== 9) throw new PropertyError(`3x3 matrix: ${m3.length} coefficients, expected 9`);
  return [0, 1, 2].flatMap((r) => [m3[r * 3]!, m3[r * 3 + 1]!, m3[r * 3 + 2]!, offset[r]]);
}
