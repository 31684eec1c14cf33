// Reconstructed scanlines to RGBA8: every colour type and bit depth comes out as 4 bytes a pixel.
// Samples below 8 bits are scaled up to 0..255, 16-bit ones rounded down to 8; palette entries and
// tRNS give colour and alpha.
import type { Faults, PngChunks } from "./chunks.js";
import { GREY, GREY_ALPHA, PALETTE, RGB, RGBA, type PngHeader } from "./header.js";
import type { Pass } from "./scanlines.js";

/** What turns samples into colours: the palette as RGBA, the scale to 8 bits, the transparent key. */
export interface Colours {
  /** 4 bytes per palette entry, alpha from tRNS (255 past its end). */
  palette: Uint8Array;
  paletteSize: number;
  /** 8-bit value of every sample value at the file's depth. */
  to8: Uint8Array;
  /** Grey or RGB sample values (at the file's depth) that tRNS marks fully transparent. */
  key?: readonly number[];
}

const scales = new Map<number, Uint8Array>();

/** 8-bit values of every sample at `depth` (rounded to nearest); built once per depth. */
function scaleTo8(depth: number): Uint8Array {
  let t = scales.get(depth);
  if (!t) {
    const max = 2 ** depth - 1;
    t = Uint8Array.from({ length: max + 1 }, (_, v) => Math.round((v * 255) / max));
    scales.set(depth, t);
  }
  return t;
}

export function colours(chunks: PngChunks): Colours {
  const { header, palette: plte, transparency: trns } = chunks;
  const paletteSize = plte ? plte.length / 3 : 0;
  const palette = new Uint8Array(4 * paletteSize);
  for (let i = 0; i < paletteSize; i++) {
    palette.set(plte!.subarray(3 * i, 3 * i + 3), 4 * i);
    palette[4 * i + 3] = trns && i < trns.length ? trns[i] : 255;
  }
  let key: number[] | undefined;
  if (trns && header.colourType !== PALETTE) {
    const dv = new DataView(trns.buffer, trns.byteOffset, trns.byteLength);
    key = Array.from({ length: trns.length / 2 }, (_, i) => dv.getUint16(2 * i));
  }
  return { palette, paletteSize, to8: scaleTo8(header.depth), key };
}

/**
 * Writes the pixels of `pass` into the RGBA8 image `out`; its scanlines start at `raw[offset]`,
 * each after its filter byte.
 */
export function passToRgba(h: PngHeader, c: Colours, raw: Uint8Array, offset: number, pass: Pass, out: Uint8Array, faults: Faults): void {
  const samples = new Uint16Array(pass.width * h.channels);
  const step = 4 * pass.dx;
  for (let j = 0; j < pass.height; j++) {
    const src = offset + j * (pass.rowBytes + 1) + 1;
    const dst = 4 * ((pass.y0 + j * pass.dy) * h.width + pass.x0);
    if (h.colourType === RGBA && h.depth === 8 && step === 4) {
      out.set(raw.subarray(src, src + pass.rowBytes), dst); // already RGBA8, rows contiguous
      continue;
    }
    unpack(raw, src, samples, h.depth);
    samplesToRgba(h.colourType, c, samples, pass.width, out, dst, step, faults);
  }
}

/** Reads `into.length` samples of `depth` bits from raw[src], most significant bits first. */
function unpack(raw: Uint8Array, src: number, into: Uint16Array, depth: number): void {
  const n = into.length;
  if (depth === 8) {
    for (let i = 0; i < n; i++) into[i] = raw[src + i];
  } else if (depth === 16) {
    for (let i = 0; i < n; i++) into[i] = (raw[src + 2 * i] << 8) | raw[src + 2 * i + 1];
  } else {
    const mask = (1 << depth) - 1, perByte = 8 / depth;
    for (let i = 0; i < n; i++) {
      const shift = 8 - depth * (1 + (i % perByte));
      into[i] = (raw[src + Math.floor(i / perByte)] >> shift) & mask;
    }
  }
}

function samplesToRgba(
  colourType: number,
  c: Colours,
  s: Uint16Array,
  count: number,
  out: Uint8Array,
  dst: number,
  step: number,
  faults: Faults,
): void {
  const to8 = c.to8, key = c.key;
  switch (colourType) {
    case GREY:
    case GREY_ALPHA: {
      const ch = colourType === GREY_ALPHA ? 2 : 1;
      for (let i = 0, k = 0; i < count; i++, k += ch, dst += step) {
        out[dst] = out[dst + 1] = out[dst + 2] = to8[s[k]];
        out[dst + 3] = ch === 2 ? to8[s[k + 1]] : key && s[k] === key[0] ? 0 : 255;
      }
      break;
    }
    case RGB:
    case RGBA: {
      const ch = colourType === RGBA ? 4 : 3;
      for (let i = 0, k = 0; i < count; i++, k += ch, dst += step) {
        out[dst] = to8[s[k]];
        out[dst + 1] = to8[s[k + 1]];
        out[dst + 2] = to8[s[k + 2]];
        out[dst + 3] = ch === 4 ? to8[s[k + 3]] : key && s[k] === key[0] && s[k + 1] === key[1] && s[k + 2] === key[2] ? 0 : 255;
      }
      break;
    }
    case PALETTE:
      for (let i = 0; i < count; i++, dst += step) {
        const e = s[i];
        if (e >= c.paletteSize) throw faults.corrupt(`palette index ${e} out of range (${c.paletteSize} entries)`);
        const pal = c.palette;
        out[dst] = pal[4 * e];
        out[dst + 1] = pal[4 * e + 1];
        out[dst + 2] = pal[4 * e + 2];
        out[dst + 3] = pal[4 * e + 3];
      }
      break;
  }
}
