// The Wayland wire format: a message is [object id u32][size u16 << 16 | opcode u16][args...],
// host byte order, every argument padded to 4 bytes; fds travel out of band (SCM_RIGHTS) in order.
// Everything read from the peer is bounds-checked and malformed input becomes a WireError.

/** A Wayland argument type as the protocol XML names it: signed and unsigned 32-bit integers, 24.8 fixed point, NUL-terminated strings, object ids, new object ids, byte arrays, and file descriptors (sent out of band). */
export type ArgType = "int" | "uint" | "fixed" | "string" | "object" | "new_id" | "array" | "fd";

/** One argument of a request or event: its name and type, the interface of object and new_id arguments, and whether null is allowed. */
export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  /** For object/new_id: the interface; absent on new_id means the untyped (string, uint, id) form. */
  readonly interface?: string;
  readonly nullable?: boolean;
}

/** One request or event: its name, the interface version it appeared in, whether it destroys the object, and its arguments in wire order. Its opcode is its index in the interface's list. */
export interface MessageSpec {
  readonly name: string;
  readonly since: number;
  readonly destructor?: boolean;
  readonly args: readonly ArgSpec[];
}

/** What the wire layer knows about an interface (generated from the protocol XML): its name, the highest version this code speaks, its requests and events indexed by opcode, and its enums. */
export interface InterfaceSpec {
  readonly name: string;
  readonly version: number;
  readonly requests: readonly MessageSpec[];
  readonly events: readonly MessageSpec[];
  readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Value of an untyped new_id argument (wl_registry.bind). */
export interface UntypedNewId {
  interface: string;
  version: number;
  id: number;
}

/** A wire-level argument value as encoded/decoded (objects are ids here). */
export type WireValue = number | string | null | Uint8Array | UntypedNewId;

export const HEADER_SIZE = 8;
/** The size field is 16 bits; a message is a multiple of 4 bytes. */
export const MAX_MESSAGE_SIZE = 0xfffc;

/** Thrown for a message that breaks the wire format: too short, a bad size or padding, a string without its NUL or not UTF-8, a missing descriptor, or a value that does not fit its argument type. A connection that reads one fails for good. */
export class WireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WireError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const pad4 = (n: number) => (n + 3) & ~3;

export function toFixed(v: number): number {
  return Math.round(v * 256) | 0;
}
export function fromFixed(raw: number): number {
  return raw / 256;
}

/** UTF-8 length of `s` as TextEncoder would encode it (lone surrogates become 3-byte U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if ((c & 0xfc00) === 0xd800 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Byte size of one argument on the wire (fds take none). */
function argSize(spec: MessageSpec, arg: ArgSpec, value: WireValue): number {
  switch (arg.type) {
    case "fd":
      return 0;
    case "new_id":
      return arg.interface ? 4 : 4 + pad4(utf8Length((value as UntypedNewId).interface) + 1) + 8;
    case "string":
      if (value === null || value === undefined) {
        if (!arg.nullable) throw new WireError(`${spec.name}: null for non-nullable string`);
        return 4;
      }
      if (typeof value !== "string") throw new WireError(`${spec.name}.${arg.name}: expected string, got ${typeof value}`);
      return 4 + pad4(utf8Length(value) + 1);
    case "array":
      if (!(value instanceof Uint8Array)) throw new WireError(`${spec.name}.${arg.name}: expected Uint8Array, got ${typeof value}`);
      return 4 + pad4(value.length);
    default:
      return 4;
  }
}

/** Size in bytes of `args` sent as a message of `spec`, header included; checks what the size depends on. */
export function messageSize(spec: MessageSpec, args: readonly WireValue[]): number {
  if (args.length !== spec.args.length)
    throw new WireError(`${spec.name}: expected ${spec.args.length} arguments, got ${args.length}`);
  let size = HEADER_SIZE;
  for (let i = 0; i < args.length; i++) size += argSize(spec, spec.args[i]!, args[i]!);
  if (size > MAX_MESSAGE_SIZE) throw new WireError(`${spec.name}: message of ${size} bytes exceeds ${MAX_MESSAGE_SIZE}`);
  return size;
}

/** Bytes to encode into or decode from, and a DataView over exactly the same bytes (offsets are shared). */
export interface ByteSource {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

function badArg(spec: MessageSpec, arg: ArgSpec, expect: string, value: WireValue): WireError {
  return new WireError(`${spec.name}.${arg.name}: expected ${expect}, got ${typeof value}`);
}

/** Writes a string argument (length, bytes, NUL, padding) at `p`; returns the position after it. */
function putString(to: ByteSource, p: number, limit: number, spec: MessageSpec, s: string): number {
  if (s.includes("\0")) throw new WireError(`${spec.name}: string contains NUL`);
  const out = to.bytes;
  const { written } = encoder.encodeInto(s, out.subarray(p + 4, limit));
  to.view.setUint32(p, written + 1, true);
  out.fill(0, p + 4 + written, p + 4 + pad4(written + 1));
  return p + 4 + pad4(written + 1);
}

/**
 * Writes one message of `size` bytes (from messageSize) at `offset` of `to`. `args` are wire
 * values in signature order (objects as ids, 0 for null); descriptors are appended to `fds` in
 * order. On WireError the bytes written so far are junk.
 */
export function writeMessage(
  to: ByteSource,
  offset: number,
  size: number,
  objectId: number,
  opcode: number,
  spec: MessageSpec,
  args: readonly WireValue[],
  fds: number[],
): void {
  const v = to.view;
  const out = to.bytes;
  v.setUint32(offset, objectId >>> 0, true);
  v.setUint32(offset + 4, ((size << 16) | opcode) >>> 0, true);
  let p = offset + HEADER_SIZE;
  for (let i = 0; i < args.length; i++) {
    const arg = spec.args[i]!;
    const value = args[i]!;
    const at = p;
    switch (arg.type) {
      case "int":
        if (typeof value !== "number" || !Number.isInteger(value)) throw badArg(spec, arg, "integer", value);
        if (value < -0x80000000 || value > 0x7fffffff) throw new WireError(`${spec.name}.${arg.name}: ${value} out of int32 range`);
        v.setInt32(at, value, true);
        p += 4;
        break;
      case "uint":
      case "object":
        if (typeof value !== "number" || !Number.isInteger(value)) throw badArg(spec, arg, "integer", value);
        if (value < 0 || value > 0xffffffff) throw new WireError(`${spec.name}.${arg.name}: ${value} out of uint32 range`);
        if (arg.type === "object" && value === 0 && !arg.nullable)
          throw new WireError(`${spec.name}.${arg.name}: null for non-nullable object`);
        v.setUint32(at, value, true);
        p += 4;
        break;
      case "fixed":
        if (typeof value !== "number" || !Number.isFinite(value)) throw badArg(spec, arg, "finite number", value);
        v.setInt32(at, toFixed(value), true);
        p += 4;
        break;
      case "new_id":
        if (arg.interface) {
          if (typeof value !== "number") throw badArg(spec, arg, "id", value);
          v.setUint32(at, value, true);
          p += 4;
        } else {
          const u = value as UntypedNewId;
          p = putString(to, p, offset + size, spec, u.interface);
          v.setUint32(p, u.version, true);
          v.setUint32(p + 4, u.id, true);
          p += 8;
        }
        break;
      case "string":
        if (value === null || value === undefined) {
          v.setUint32(at, 0, true);
          p += 4;
        } else p = putString(to, p, offset + size, spec, value as string);
        break;
      case "array": {
        const a = value as Uint8Array;
        v.setUint32(at, a.length, true);
        out.set(a, p + 4);
        out.fill(0, p + 4 + a.length, p + 4 + pad4(a.length));
        p += 4 + pad4(a.length);
        break;
      }
      case "fd":
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) throw badArg(spec, arg, "descriptor", value);
        fds.push(value);
        break;
    }
  }
}

/**
 * Encodes one message into a new array. `args` are wire values in signature order (objects as
 * ids, 0 for null). Descriptors are appended to `fds` in order.
 */
export function encodeMessage(
  objectId: number,
  opcode: number,
  spec: MessageSpec,
  args: readonly WireValue[],
  fds: number[],
): Uint8Array {
  const size = messageSize(spec, args);
  const out = new Uint8Array(size);
  writeMessage({ bytes: out, view: new DataView(out.buffer) }, 0, size, objectId, opcode, spec, args, fds);
  return out;
}

/** Throws unless `size` (from a header) can be a message: at least a header, a multiple of 4. */
export function checkMessageSize(id: number, opcode: number, size: number): void {
  if (size < HEADER_SIZE || size % 4 !== 0)
    throw new WireError(`message for object ${id} opcode ${opcode} has invalid size ${size}`);
}

/** Reads the header at `offset`; returns null when fewer than 8 bytes are buffered. */
export function readHeader(buf: Uint8Array, offset: number, length: number): { id: number; opcode: number; size: number } | null {
  if (length - offset < HEADER_SIZE) return null;
  const v = new DataView(buf.buffer, buf.byteOffset + offset, HEADER_SIZE);
  const id = v.getUint32(0, true);
  const word = v.getUint32(4, true);
  const size = word >>> 16;
  const opcode = word & 0xffff;
  checkMessageSize(id, opcode, size);
  return { id, opcode, size };
}

/** Where a message is going, for errors: a string, or a function that makes it only when needed. */
export type Where = string | (() => string);
const whereText = (where: Where) => (typeof where === "string" ? where : where());

/** A WireError naming the message: `where` is only turned into text here, on the error path. */
function malformed(where: Where, what: string): WireError {
  return new WireError(`${whereText(where)}: ${what}`);
}

function pastEnd(where: Where, arg: ArgSpec, start: number, stop: number): WireError {
  return malformed(where, `argument ${arg.name} (${arg.type}) runs past the end of a ${stop - start + HEADER_SIZE}-byte message`);
}

/** Reads a string argument at `p` into out[i]; returns the position after it. */
function readString(from: ByteSource, p: number, start: number, stop: number, arg: ArgSpec, nullable: boolean, where: Where, out: WireValue[], i: number): number {
  if (p + 4 > stop) throw pastEnd(where, arg, start, stop);
  const len = from.view.getUint32(p, true);
  p += 4;
  if (len === 0) {
    if (!nullable) throw malformed(where, `null string for non-nullable ${arg.name}`);
    out[i] = null;
    return p;
  }
  if (len > stop - p || pad4(len) > stop - p) throw malformed(where, `string ${arg.name} of ${len} bytes exceeds the message`);
  if (from.bytes[p + len - 1] !== 0) throw malformed(where, `string ${arg.name} is not NUL-terminated`);
  let s: string;
  try {
    s = decoder.decode(from.bytes.subarray(p, p + len - 1));
  } catch {
    throw malformed(where, `string ${arg.name} is not valid UTF-8`);
  }
  if (s.includes("\0")) throw malformed(where, `string ${arg.name} contains NUL`);
  out[i] = s;
  return p + pad4(len);
}

/**
 * Decodes the arguments of the message body at `from` [start, stop) (header excluded). `takeFd`
 * yields the next received descriptor or undefined. Object and new_id arguments come back as ids
 * (0 = null). Malformed input is a WireError naming `where`. Allocates only the values.
 */
export function decodeArgsAt(
  spec: MessageSpec,
  from: ByteSource,
  start: number,
  stop: number,
  takeFd: () => number | undefined,
  where: Where,
): WireValue[] {
  const view = from.view;
  const specArgs = spec.args;
  const out = new Array<WireValue>(specArgs.length); // sized once: pushing grows a backing store
  let p = start;
  for (let i = 0; i < specArgs.length; i++) {
    const arg = specArgs[i]!;
    switch (arg.type) {
      case "int":
      case "fixed": {
        if (p + 4 > stop) throw pastEnd(where, arg, start, stop);
        const raw = view.getInt32(p, true);
        out[i] = arg.type === "fixed" ? fromFixed(raw) : raw;
        p += 4;
        break;
      }
      case "uint":
      case "object":
        if (p + 4 > stop) throw pastEnd(where, arg, start, stop);
        out[i] = view.getUint32(p, true);
        p += 4;
        break;
      case "new_id":
        if (arg.interface) {
          if (p + 4 > stop) throw pastEnd(where, arg, start, stop);
          const id = view.getUint32(p, true);
          if (id === 0) throw malformed(where, `new_id ${arg.name} is 0`);
          out[i] = id;
          p += 4;
        } else {
          p = readString(from, p, start, stop, arg, false, where, out, i);
          if (p + 8 > stop) throw pastEnd(where, arg, start, stop);
          out[i] = { interface: out[i] as string, version: view.getUint32(p, true), id: view.getUint32(p + 4, true) };
          p += 8;
        }
        break;
      case "string":
        p = readString(from, p, start, stop, arg, arg.nullable === true, where, out, i);
        break;
      case "array": {
        if (p + 4 > stop) throw pastEnd(where, arg, start, stop);
        const len = view.getUint32(p, true);
        p += 4;
        if (len > stop - p || pad4(len) > stop - p) throw malformed(where, `array ${arg.name} of ${len} bytes exceeds the message`);
        out[i] = from.bytes.slice(p, p + len);
        p += pad4(len);
        break;
      }
      case "fd": {
        const fd = takeFd();
        if (fd === undefined) throw malformed(where, `descriptor ${arg.name} missing (none received)`);
        out[i] = fd;
        break;
      }
    }
  }
  if (p !== stop) throw malformed(where, `${stop - p} trailing bytes after the arguments`);
  return out;
}

/** decodeArgsAt over a whole body array. */
export function decodeArgs(spec: MessageSpec, body: Uint8Array, takeFd: () => number | undefined, at: Where): WireValue[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return decodeArgsAt(spec, { bytes: body, view }, 0, body.length, takeFd, at);
}
