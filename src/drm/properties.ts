// KMS properties: definitions, typed values, encoding of values for atomic requests, and the set of
// one object's current values. Pure code (DrmDevice runs the ioctls that fetch definitions and
// values), unit-tested on hosts without DRM.
import { inspect } from "node:util";
import { DrmError, PropertyError } from "./error.js";
import type { BlobId, ObjectKind, PropertyId } from "./types.js";
import { ObjectType, fromFixed16 } from "./types.js";

/** The DRM_MODE_PROP_* flag bits of a property definition (PropertyInfo.flags): its type and whether it is immutable or atomic-only. */
export const DRM_MODE_PROP = {
  PENDING: 1,
  RANGE: 2,
  IMMUTABLE: 4,
  ENUM: 8,
  BLOB: 16,
  BITMASK: 32,
  OBJECT: 1 << 6,
  SIGNED_RANGE: 2 << 6,
  EXTENDED_TYPE: 0xffc0,
  ATOMIC: 0x80000000,
} as const;

/**
 * How a property's u64 value is read: unsigned or signed integer range, enum, bitmask of named bits, blob id, object id,
 * or 16.16 fixed point (the plane SRC_X/Y/W/H properties, which the kernel declares as plain ranges).
 */
export type PropertyKind = "range" | "signedRange" | "enum" | "bitmask" | "blob" | "object" | "fixed16";

/** A property's definition as the driver declares it: id, name, kind and, depending on the kind, its bounds, enum names or object type. */
export interface PropertyInfo {
  id: PropertyId;
  name: string;
  kind: PropertyKind;
  flags: number;
  immutable: boolean;
  /** Only settable through atomic requests. */
  atomicOnly: boolean;
  /** range / signedRange / fixed16: inclusive bounds. */
  range?: readonly [bigint, bigint];
  /** enum / bitmask: names and values (for bitmask, the value is the bit index). */
  enums?: readonly { name: string; value: bigint }[];
  /** object: which kind of object the property refers to. */
  objectType?: ObjectKind;
}

/** A property's current value decoded by kind: numbers as bigint (fixed16 as a number of pixels), enum and bitmask values with their names, blob and object ids (undefined for 0, "none"). */
export type PropertyValue =
  | { kind: "range"; value: bigint }
  | { kind: "signedRange"; value: bigint }
  | { kind: "fixed16"; value: number }
  | { kind: "enum"; value: bigint; name: string | undefined }
  | { kind: "bitmask"; value: bigint; names: string[] }
  | { kind: "blob"; blob: BlobId | undefined }
  | { kind: "object"; objectType: ObjectKind | undefined; id: number | undefined };

/**
 * What encodeProperty takes: a number (ranges, object ids, raw 16.16 fixed point as fixed16() makes
 * it), a boolean (0/1 ranges), an enum name, bitmask names, or undefined for "no object".
 */
export type PropertyInput = bigint | number | boolean | string | readonly string[] | undefined;

/** Plane source rectangle properties carry 16.16 fixed point. */
const FIXED16_NAMES = new Set(["SRC_X", "SRC_Y", "SRC_W", "SRC_H"]);

const objectKinds = new Map<number, ObjectKind>(
  Object.entries(ObjectType).map(([k, v]) => [v, k as ObjectKind]),
);

/** Builds a PropertyInfo from the fields of struct drm_mode_get_property and its values/enums. */
export function makePropertyInfo(
  id: number,
  name: string,
  flags: number,
  values: readonly bigint[],
  enums: readonly { name: string; value: bigint }[],
): PropertyInfo {
  const ext = flags & DRM_MODE_PROP.EXTENDED_TYPE;
  const base = {
    id: id as PropertyId,
    name,
    flags,
    immutable: (flags & DRM_MODE_PROP.IMMUTABLE) !== 0,
    atomicOnly: (flags & DRM_MODE_PROP.ATOMIC) !== 0,
  };
  const need = (n: number) => {
    if (values.length < n) throw new PropertyError(`property ${name} (${id}): ${values.length} values, expected ${n}`);
  };
  if (flags & DRM_MODE_PROP.RANGE) {
    need(2);
    const kind = FIXED16_NAMES.has(name) ? "fixed16" : "range";
    return { ...base, kind, range: [values[0], values[1]] };
  }
  if (ext === DRM_MODE_PROP.SIGNED_RANGE) {
    need(2);
    return { ...base, kind: "signedRange", range: [BigInt.asIntN(64, values[0]), BigInt.asIntN(64, values[1])] };
  }
  if (flags & DRM_MODE_PROP.ENUM) return { ...base, kind: "enum", enums };
  if (flags & DRM_MODE_PROP.BITMASK) return { ...base, kind: "bitmask", enums };
  if (flags & DRM_MODE_PROP.BLOB) return { ...base, kind: "blob" };
  if (ext === DRM_MODE_PROP.OBJECT) {
    need(1);
    return { ...base, kind: "object", objectType: objectKinds.get(Number(values[0])) };
  }
  throw new PropertyError(`property ${name} (${id}): unknown type flags 0x${flags.toString(16)}`);
}

/** Decodes a raw u64 property value according to its definition. */
export function decodeProperty(info: PropertyInfo, raw: bigint): PropertyValue {
  switch (info.kind) {
    case "range":
      return { kind: "range", value: raw };
    case "fixed16":
      return { kind: "fixed16", value: fromFixed16(raw) };
    case "signedRange":
      return { kind: "signedRange", value: BigInt.asIntN(64, raw) };
    case "enum":
      return { kind: "enum", value: raw, name: info.enums?.find((e) => e.value === raw)?.name };
    case "bitmask":
      return {
        kind: "bitmask",
        value: raw,
        names: (info.enums ?? []).filter((e) => (raw >> e.value) & 1n).map((e) => e.name),
      };
    case "blob":
      return { kind: "blob", blob: raw === 0n ? undefined : (Number(raw) as BlobId) };
    case "object":
      return { kind: "object", objectType: info.objectType, id: raw === 0n ? undefined : Number(raw) };
  }
}

/** Encodes a value for an atomic request, checking it against the definition (errors name the property). */
export function encodeProperty(info: PropertyInfo, input: PropertyInput, owner = ""): bigint {
  const where = `property ${info.name}${owner ? ` of ${owner}` : ""}`;
  if (info.immutable) throw new PropertyError(`${where} is immutable`);
  const asBig = (v: bigint | number): bigint => {
    if (typeof v === "number" && !Number.isInteger(v)) throw new PropertyError(`${where}: ${v} is not an integer`);
    return BigInt(v);
  };
  const inRange = (v: bigint): bigint => {
    const [lo, hi] = info.range!;
    if (v < lo || v > hi) throw new RangeError(`${where}: ${v} is outside [${lo}, ${hi}]`);
    return v;
  };
  switch (info.kind) {
    case "range":
    case "signedRange":
      if (typeof input === "boolean") return inRange(input ? 1n : 0n);
      if (typeof input !== "bigint" && typeof input !== "number") throw new PropertyError(`${where} wants a number`);
      return BigInt.asUintN(64, inRange(asBig(input)));
    case "fixed16":
      // a plain number here is almost always pixels meant as fixed16(pixels)
      if (typeof input !== "bigint") throw new PropertyError(`${where} wants 16.16 fixed point: fixed16(x)`);
      return inRange(input);
    case "enum": {
      if (typeof input === "string") {
        const e = info.enums?.find((x) => x.name === input);
        if (!e) throw new PropertyError(`${where}: "${input}" is not one of ${info.enums?.map((x) => x.name).join(", ")}`);
        return e.value;
      }
      if (typeof input !== "bigint" && typeof input !== "number") throw new PropertyError(`${where} wants an enum name`);
      const v = asBig(input);
      if (!info.enums?.some((e) => e.value === v)) throw new PropertyError(`${where}: ${v} is not a valid enum value`);
      return v;
    }
    case "bitmask": {
      if (Array.isArray(input)) {
        let v = 0n;
        for (const n of input as readonly string[]) {
          const e = info.enums?.find((x) => x.name === n);
          if (!e) throw new PropertyError(`${where}: "${n}" is not one of ${info.enums?.map((x) => x.name).join(", ")}`);
          v |= 1n << e.value;
        }
        return v;
      }
      if (typeof input !== "bigint" && typeof input !== "number") throw new PropertyError(`${where} wants a list of names`);
      return asBig(input);
    }
    case "blob":
    case "object":
      if (input === undefined) return 0n;
      if (typeof input !== "bigint" && typeof input !== "number") throw new PropertyError(`${where} wants an object id or undefined`);
      return asBig(input);
  }
}

/** A value as logs and REPL print it: the number, the enum name, bit names joined by "|", "blob 42", "crtc 38", or "none". */
export function formatPropertyValue(v: PropertyValue): string {
  switch (v.kind) {
    case "range":
    case "signedRange":
      return String(v.value);
    case "fixed16":
      return String(v.value);
    case "enum":
      return v.name ?? `${v.value} (unknown)`;
    case "bitmask":
      return v.names.join("|") || "0";
    case "blob":
      return v.blob === undefined ? "none" : `blob ${v.blob}`;
    case "object":
      return v.id === undefined ? "none" : `${v.objectType ?? "object"} ${v.id}`;
  }
}

/** The current property values of one object, readable by name with typed values. */
export class PropertySet {
  constructor(
    readonly owner: string,
    private readonly entries: ReadonlyMap<string, { info: PropertyInfo; raw: bigint }>,
  ) {}
  /** Whether the object has a property of this name (names are the driver's, case-sensitive, e.g. "FB_ID"). */
  has(name: string): boolean {
    return this.entries.has(name);
  }
  /** The names of all the object's properties, in the order the kernel listed them. */
  names(): string[] {
    return [...this.entries.keys()];
  }
  /** The definition of a property. Throws DrmError listing the object's properties when it has none of that name. */
  info(name: string): PropertyInfo {
    return this.entry(name).info;
  }
  /** The current value as the kernel's raw u64. Throws DrmError when the object has no such property. */
  raw(name: string): bigint {
    return this.entry(name).raw;
  }
  /** The current value decoded by the property's kind. Throws DrmError when the object has no such property. */
  value(name: string): PropertyValue {
    const e = this.entry(name);
    return decodeProperty(e.info, e.raw);
  }
  /** Raw value as a number (object ids, booleans, small ranges). */
  number(name: string): number {
    return Number(this.raw(name));
  }
  /** The current value's enum name (undefined for a value the definition does not list). Throws DrmError when the property is missing or not an enum. */
  enumName(name: string): string | undefined {
    const v = this.value(name);
    if (v.kind !== "enum") throw new DrmError(`${this.owner}: property ${name} is ${v.kind}, not enum`);
    return v.name;
  }
  /** The blob the property points to, or undefined when it holds none. Throws DrmError when the property is missing or not a blob. */
  blob(name: string): BlobId | undefined {
    const v = this.value(name);
    if (v.kind !== "blob") throw new DrmError(`${this.owner}: property ${name} is ${v.kind}, not blob`);
    return v.blob;
  }
  /** Iterates [name, definition and raw value] pairs. */
  [Symbol.iterator](): IterableIterator<[string, { info: PropertyInfo; raw: bigint }]> {
    return this.entries[Symbol.iterator]();
  }
  /** How it prints in the REPL: the object and every property as name=value. */
  [inspect.custom](): string {
    return `PropertySet ${this.owner} {${this.names().map((n) => `${n}=${formatPropertyValue(this.value(n))}`).join(", ")}}`;
  }
  private entry(name: string) {
    const e = this.entries.get(name);
    if (!e) throw new DrmError(`${this.owner} has no property ${name} (it has ${this.names().join(", ")})`);
    return e;
  }
}

/** Parsed IN_FORMATS blob (struct drm_format_modifier_blob): format -> supported modifiers. */
export function parseInFormats(blob: Uint8Array): Map<number, bigint[]> {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.length < 24) throw new PropertyError(`IN_FORMATS blob: ${b.length} bytes, header needs 24`);
  const version = b.readUInt32LE(0);
  if (version !== 1) throw new PropertyError(`IN_FORMATS blob: version ${version}, only 1 is known`);
  const countFormats = b.readUInt32LE(8);
  const formatsOffset = b.readUInt32LE(12);
  const countModifiers = b.readUInt32LE(16);
  const modifiersOffset = b.readUInt32LE(20);
  if (formatsOffset + countFormats * 4 > b.length)
    throw new PropertyError(`IN_FORMATS blob: ${countFormats} formats at ${formatsOffset} overrun ${b.length} bytes`);
  if (modifiersOffset + countModifiers * 24 > b.length)
    throw new PropertyError(`IN_FORMATS blob: ${countModifiers} modifiers at ${modifiersOffset} overrun ${b.length} bytes`);
  const formats: number[] = [];
  for (let i = 0; i < countFormats; i++) formats.push(b.readUInt32LE(formatsOffset + i * 4));
  const out = new Map<number, bigint[]>(formats.map((f) => [f, []]));
  for (let m = 0; m < countModifiers; m++) {
    const o = modifiersOffset + m * 24;
    const mask = b.readBigUInt64LE(o);
    const offset = b.readUInt32LE(o + 8);
    const modifier = b.readBigUInt64LE(o + 16);
    // mask bit i refers to formats[offset + i]
    for (let i = 0; i < 64; i++) {
      if (((mask >> BigInt(i)) & 1n) === 0n) continue;
      const f = formats[offset + i];
      if (f === undefined) throw new PropertyError(`IN_FORMATS blob: modifier ${m} names format index ${offset + i} of ${countFormats}`);
      out.get(f)!.push(modifier);
    }
  }
  return out;
}
