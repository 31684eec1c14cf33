// The chunk layer of a PNG: walks every chunk from the signature to IEND, checking lengths, type
// names, CRCs and order, and collects what decoding needs (IHDR, PLTE, tRNS, the IDAT stream). No
// pixel data is touched here, so a damaged file is refused before anything large is allocated.
import type { AssetError } from "../errors.js";
import { crc32 } from "./crc.js";
import { GREY, GREY_ALPHA, PALETTE, parseHeader, RGB, type PngHeader } from "./header.js";

export const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** How a chunk walk reports damage: a truncated file, or anything else wrong with it. */
export interface Faults {
  truncated(detail: string): AssetError;
  corrupt(detail: string): AssetError;
}

export interface PngChunks {
  header: PngHeader;
  /** RGB triples, when there is a PLTE chunk. */
  palette?: Uint8Array;
  /** The tRNS chunk's data, when there is one. */
  transparency?: Uint8Array;
  /** The IDAT chunks' data, in order: together one zlib stream. */
  imageData: Uint8Array[];
  imageDataBytes: number;
}

const MAX_CHUNK = 0x7fffffff;

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Walks the chunks of `buf`, which starts with a valid signature. */
export function readChunks(buf: Uint8Array, faults: Faults): PngChunks {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let chunk = chunkAt(buf, dv, SIGNATURE.length, faults);
  if (chunk.type !== "IHDR") throw faults.corrupt(`first chunk is ${chunk.type}, not IHDR`);
  const header = parseHeader(chunk.data, faults.corrupt);
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const imageData: Uint8Array[] = [];
  let imageDataBytes = 0;
  for (let previous = chunk.type; ; previous = chunk.type) {
    const pos = chunk.end;
    chunk = chunkAt(buf, dv, pos, faults);
    const { type, data } = chunk;
    switch (type) {
      case "IHDR":
        throw faults.corrupt(`second IHDR chunk at byte ${pos}`);
      case "PLTE":
        if (palette || imageData.length > 0) throw faults.corrupt(`PLTE chunk at byte ${pos} is repeated or after image data`);
        if (header.colourType === GREY || header.colourType === GREY_ALPHA) throw faults.corrupt("PLTE chunk in a greyscale image");
        if (data.length === 0 || data.length % 3 !== 0 || data.length > 3 * 256) throw faults.corrupt(`PLTE chunk of ${data.length} bytes`);
        palette = data;
        break;
      case "tRNS":
        transparency = data;
        break;
      case "IDAT":
        if (imageData.length > 0 && previous !== "IDAT") throw faults.corrupt(`IDAT chunks are not consecutive (byte ${pos})`);
        imageData.push(data);
        imageDataBytes += data.length;
        break;
      case "IEND": {
        if (imageData.length === 0) throw faults.corrupt("no IDAT chunk");
        if (header.colourType === PALETTE && !palette) throw faults.corrupt("palette image without a PLTE chunk");
        return {
          header,
          palette: header.colourType === PALETTE ? palette : undefined, // true colour may suggest one: not needed
          transparency: transparency && checkTransparency(header, palette, transparency, faults),
          imageData,
          imageDataBytes,
        };
      }
      default:
        // bit 5 of the first letter clear (upper case): a chunk a decoder must understand
        if (!(type.charCodeAt(0) & 0x20)) throw faults.corrupt(`unknown critical chunk ${type} at byte ${pos}`);
    }
  }
}

/** The chunk at `pos`, its length, type name and CRC checked. */
function chunkAt(buf: Uint8Array, dv: DataView, pos: number, faults: Faults): { type: string; data: Uint8Array; end: number } {
  if (pos + 8 > buf.length) throw faults.truncated(`file ends at byte ${buf.length}, before the IEND chunk`);
  const length = dv.getUint32(pos);
  const typeBytes = buf.subarray(pos + 4, pos + 8);
  if (!typeBytes.every(isLetter)) throw faults.corrupt(`invalid chunk type at byte ${pos}`);
  const type = String.fromCharCode(...typeBytes);
  if (length > MAX_CHUNK) throw faults.corrupt(`${type} chunk at byte ${pos} claims ${length} bytes`);
  const end = pos + 12 + length;
  if (end > buf.length) {
    throw faults.truncated(`${type} chunk at byte ${pos} needs ${12 + length} bytes, the file has ${buf.length - pos} left`);
  }
  if (crc32(buf, pos + 4, end - 4) !== dv.getUint32(end - 4)) throw faults.corrupt(`CRC mismatch in ${type} chunk at byte ${pos}`);
  return { type, data: buf.subarray(pos + 8, end - 4), end };
}

/** The tRNS data if it fits the image, undefined where it has no meaning; an error where it does not fit. */
function checkTransparency(header: PngHeader, palette: Uint8Array | undefined, trns: Uint8Array, faults: Faults): Uint8Array | undefined {
  const fits =
    header.colourType === GREY ? trns.length === 2 :
    header.colourType === RGB ? trns.length === 6 :
    header.colourType === PALETTE ? trns.length <= palette!.length / 3 :
    undefined; // an alpha channel already: tRNS is ignored, as libpng does
  if (fits === false) throw faults.corrupt(`tRNS chunk of ${trns.length} bytes does not fit this image`);
  return fits ? trns : undefined;
}
