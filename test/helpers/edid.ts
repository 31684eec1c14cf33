// Builds EDID 1.4 blobs (with an optional CTA-861 extension holding HDR static metadata and
// colorimetry data blocks) byte by byte from the VESA/CTA layouts, so the EDID tests know exactly
// what the display claims without needing a monitor.

/** What the built EDID says. */
export interface EdidSpec {
  /** Three-letter PNP manufacturer id, e.g. "SCN". */
  pnp: string;
  productCode: number;
  /** The monitor name descriptor (at most 13 characters). */
  name?: string;
  /** The serial string descriptor (at most 13 characters). */
  serial?: string;
  /** Preferred mode (a detailed timing), default 1920x1080 at 148.5 MHz (60 Hz). */
  mode?: { width: number; height: number; clockKHz: number; hblank: number; vblank: number };
  /** Chromaticities (x, y) of red, green, blue and white; default sRGB / D65. */
  primaries?: [number, number][];
  /** HDR static metadata block: EOTFs and desired content luminance code values (CTA-861.3). */
  hdr?: { sdr?: boolean; hdr?: boolean; pq?: boolean; hlg?: boolean; type1?: boolean; maxCv?: number; maxFallCv?: number; minCv?: number };
  /** Colorimetry data block bits. */
  colorimetry?: { bt2020Rgb?: boolean; bt2020Ycc?: boolean; bt2020Cycc?: boolean; st2113Rgb?: boolean; ictcp?: boolean };
}

function checksum(block: Buffer): void {
  let sum = 0;
  for (let i = 0; i < 127; i++) sum += block[i];
  block[127] = (256 - (sum % 256)) % 256;
}

function textDescriptor(tag: number, text: string): Buffer {
  const d = Buffer.alloc(18);
  d[3] = tag;
  const body = Buffer.alloc(13, 0x20);
  const t = text.slice(0, 13);
  body.write(t, "latin1");
  if (t.length < 13) body[t.length] = 0x0a;
  body.copy(d, 5);
  return d;
}

function detailedTiming(m: NonNullable<EdidSpec["mode"]>): Buffer {
  const d = Buffer.alloc(18);
  d.writeUInt16LE(m.clockKHz / 10, 0);
  d[2] = m.width & 0xff;
  d[3] = m.hblank & 0xff;
  d[4] = ((m.width >> 8) << 4) | (m.hblank >> 8);
  d[5] = m.height & 0xff;
  d[6] = m.vblank & 0xff;
  d[7] = ((m.height >> 8) << 4) | (m.vblank >> 8);
  d[8] = 88; // hsync offset
  d[9] = 44; // hsync width
  d[10] = (4 << 4) | 5; // vsync offset, width
  d[17] = 0x1e; // digital separate sync, both polarities positive
  return d;
}

/** The EDID (128 bytes, or 256 with the CTA extension when `hdr` or `colorimetry` is given). */
export function buildEdid(spec: EdidSpec): Buffer {
  const b = Buffer.alloc(128);
  Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0]).copy(b, 0);
  const letter = (i: number) => spec.pnp.charCodeAt(i) - 64;
  b.writeUInt16BE((letter(0) << 10) | (letter(1) << 5) | letter(2), 8);
  b.writeUInt16LE(spec.productCode, 10);
  b[16] = 1; // week
  b[17] = 2026 - 1990;
  b[18] = 1;
  b[19] = 4;
  b[20] = 0xa5; // digital, 8 bits per colour, DisplayPort
  b[21] = 60; // cm
  b[22] = 34;
  b[23] = 120; // gamma 2.2
  b[24] = 0x06; // RGB 4:4:4, sRGB default colour space, preferred timing is native
  const pri = spec.primaries ?? [[0.64, 0.33], [0.3, 0.6], [0.15, 0.06], [0.3127, 0.329]];
  const q = pri.map(([x, y]) => [Math.round(x * 1024), Math.round(y * 1024)]);
  b[25] = ((q[0][0] & 3) << 6) | ((q[0][1] & 3) << 4) | ((q[1][0] & 3) << 2) | (q[1][1] & 3);
  b[26] = ((q[2][0] & 3) << 6) | ((q[2][1] & 3) << 4) | ((q[3][0] & 3) << 2) | (q[3][1] & 3);
  q.flat().forEach((v, i) => (b[27 + i] = v >> 2));
  for (let i = 38; i < 54; i++) b[i] = 1; // no standard timings
  detailedTiming(spec.mode ?? { width: 1920, height: 1080, clockKHz: 148500, hblank: 280, vblank: 45 }).copy(b, 54);
  const descriptors = [spec.name && textDescriptor(0xfc, spec.name), spec.serial && textDescriptor(0xff, spec.serial)];
  descriptors.forEach((d, i) => (d || textDescriptor(0x10, "")).copy(b, 72 + i * 18));
  textDescriptor(0x10, "").copy(b, 108);
  for (const o of [72, 90, 108]) if (b[o + 3] === 0x10) b.fill(0, o, o + 18).writeUInt8(0x10, o + 3);
  const cta = spec.hdr || spec.colorimetry;
  b[126] = cta ? 1 : 0;
  checksum(b);
  if (!cta) return b;

  const e = Buffer.alloc(128);
  e[0] = 0x02;
  e[1] = 3;
  const blocks: number[] = [];
  if (spec.colorimetry) {
    const c = spec.colorimetry;
    blocks.push(0xe3, 0x05, (c.bt2020Cycc ? 0x20 : 0) | (c.bt2020Ycc ? 0x40 : 0) | (c.bt2020Rgb ? 0x80 : 0),
      (c.st2113Rgb ? 0x80 : 0) | (c.ictcp ? 0x40 : 0));
  }
  if (spec.hdr) {
    const h = spec.hdr;
    const eotf = (h.sdr ? 1 : 0) | (h.hdr ? 2 : 0) | (h.pq ? 4 : 0) | (h.hlg ? 8 : 0);
    blocks.push(0xe6, 0x06, eotf, h.type1 ? 1 : 0, h.maxCv ?? 0, h.maxFallCv ?? 0, h.minCv ?? 0);
  }
  Buffer.from(blocks).copy(e, 4);
  e[2] = 4 + blocks.length; // no detailed timings follow
  checksum(e);
  return Buffer.concat([b, e]);
}
