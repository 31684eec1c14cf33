// CRC-32 as PNG chunks use it (ISO 3309 / ITU-T V.42 polynomial, reflected, 0xEDB88320).

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  TABLE[n] = c;
}

/** CRC-32 of `buf[from..to)`, unsigned. */
export function crc32(buf: Uint8Array, from = 0, to = buf.length): number {
  let c = -1;
  for (let i = from; i < to; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
