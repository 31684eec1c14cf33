// DRM pixel formats (fourcc codes) and format modifiers, as drm_fourcc.h defines them, with
// printers. The one place these values live: the Vulkan, KMS and Wayland dmabuf code all use it.

/** The 32-bit code of a four-character format name, e.g. fourcc("XR24") = DRM_FORMAT_XRGB8888. */
export function fourcc(code: string): number {
  if (code.length !== 4) throw new Error(`fourcc "${code}" must have 4 characters`);
  return (code.charCodeAt(0) | (code.charCodeAt(1) << 8) | (code.charCodeAt(2) << 16) | (code.charCodeAt(3) << 24)) >>> 0;
}

/** drm_fourcc.h's flag for big-endian variants of a format. */
const DRM_FORMAT_BIG_ENDIAN = 0x80000000;

/** The four characters of a format code ("XR24"; "R8" for the space-padded "R8  "), "_BE" for big-endian variants; hex if not printable. */
export function formatName(format: number): string {
  const code = (format & ~DRM_FORMAT_BIG_ENDIAN) >>> 0;
  const chars = [0, 8, 16, 24].map((shift) => (code >>> shift) & 0xff);
  if (!chars.every((c) => c >= 0x20 && c < 0x7f)) return `0x${(format >>> 0).toString(16).padStart(8, "0")}`;
  // short codes are padded with spaces (R8 is "R8  "): the padding is not part of the name
  return String.fromCharCode(...chars).trimEnd() + (format & DRM_FORMAT_BIG_ENDIAN ? "_BE" : "");
}

/** "XR24": 32-bit pixels, B G R X bytes in memory (little-endian xRGB); the padding byte is ignored. The format every KMS driver and compositor accepts. */
export const DRM_FORMAT_XRGB8888 = fourcc("XR24");
/** "AR24": 32-bit pixels, B G R A bytes in memory (little-endian ARGB), alpha premultiplied as Wayland and KMS expect. */
export const DRM_FORMAT_ARGB8888 = fourcc("AR24");
/** "XB24": 32-bit pixels, R G B X bytes in memory (little-endian xBGR); the padding byte is ignored. */
export const DRM_FORMAT_XBGR8888 = fourcc("XB24");
/** "AB24": 32-bit pixels, R G B A bytes in memory (little-endian ABGR). */
export const DRM_FORMAT_ABGR8888 = fourcc("AB24");

/** Modifier 0: plain row-major pixels with a stride, no tiling or compression; what CPU code and every device can read. */
export const DRM_FORMAT_MOD_LINEAR = 0n;
/** "No explicit modifier": the layout is agreed some other way (implicit modifiers). */
export const DRM_FORMAT_MOD_INVALID = 0x00ffffffffffffffn;
export { DRM_FORMAT_MOD_LINEAR as MOD_LINEAR, DRM_FORMAT_MOD_INVALID as MOD_INVALID };

/** Modifier vendors (the top 8 bits of a modifier), in drm_fourcc.h's order. */
const VENDORS = ["NONE", "INTEL", "AMD", "NVIDIA", "SAMSUNG", "QCOM", "VIVANTE", "BROADCOM", "ARM", "ALLWINNER", "AMLOGIC", "MTK", "APPLE"];
const VALUE_BITS = (1n << 56n) - 1n;

/** "LINEAR", "INVALID", or the vendor and the vendor's value in hex (e.g. "INTEL 0x2"). */
export function modifierName(modifier: bigint): string {
  if (modifier === DRM_FORMAT_MOD_LINEAR) return "LINEAR";
  if (modifier === DRM_FORMAT_MOD_INVALID) return "INVALID";
  const vendor = Number(modifier >> 56n);
  return `${VENDORS[vendor] ?? `VENDOR_0x${vendor.toString(16)}`} 0x${(modifier & VALUE_BITS).toString(16)}`;
}
