// A minimal PNG writer for tests, independent of the decoder under test (CRC from node:zlib), so
// every colour type, bit depth, chunk layout and Adam7 interlacing can be produced exactly (pngjs
// cannot write palette images, sub-byte depths or interlaced files).
import { crc32, deflateSync } from "node:zlib";

export const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** One chunk: length, type, data, CRC of type + data. */
export function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

export interface PngSpec {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  /** Samples per row, channel-interleaved, at `depth` bits each. */
  rows: number[][];
  plte?: number[];
  trns?: number[];
  interlace?: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/** Packs one scanline (filter type None) of samples at `depth` bits. */
function scanline(samples: number[], depth: number): number[] {
  const out = [0];
  if (depth === 16) for (const s of samples) out.push(s >> 8, s & 0xff);
  else if (depth === 8) out.push(...samples);
  else {
    let acc = 0, bits = 0;
    for (const s of samples) {
      acc = (acc << depth) | s;
      bits += depth;
      if (bits === 8) {
        out.push(acc);
        acc = bits = 0;
      }
    }
    if (bits) out.push(acc << (8 - bits));
  }
  return out;
}

/** The scanlines of the image, filtered with None: one pass, or Adam7's seven. */
export function scanlines(spec: PngSpec): Buffer {
  const ch = CHANNELS[spec.colorType];
  const passes = spec.interlace ? ADAM7 : [[0, 0, 1, 1]];
  const raw: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    if (x0 >= spec.width) continue; // a pass with no columns has no scanlines at all
    for (let y = y0; y < spec.height; y += dy) {
      const samples: number[] = [];
      for (let x = x0; x < spec.width; x += dx) samples.push(...spec.rows[y].slice(x * ch, (x + 1) * ch));
      raw.push(...scanline(samples, spec.depth));
    }
  }
  return Buffer.from(raw);
}

export function ihdr(spec: Pick<PngSpec, "width" | "height" | "depth" | "colorType" | "interlace">): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(spec.width, 0);
  data.writeUInt32BE(spec.height, 4);
  data[8] = spec.depth;
  data[9] = spec.colorType;
  data[12] = spec.interlace ? 1 : 0;
  return chunk("IHDR", data);
}

export function makePng(spec: PngSpec): Buffer {
  const parts = [SIGNATURE, ihdr(spec)];
  if (spec.plte) parts.push(chunk("PLTE", Buffer.from(spec.plte)));
  if (spec.trns) parts.push(chunk("tRNS", Buffer.from(spec.trns)));
  parts.push(chunk("IDAT", deflateSync(scanlines(spec))), chunk("IEND", Buffer.alloc(0)));
  return Buffer.concat(parts);
}
