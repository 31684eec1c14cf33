// The Wayland wire format: a message is [object id u32][size u16 << 16 | opcode u16][args...],
// host byte order, every argument padded to 4 bytes; fds travel out of band (SCM_RIGHTS) in order.
// Everything read from the peer is bounds-checked and malformed input becomes a WireError.
export const HEADER_SIZE = 8;
/** The size field is 16 bits; a message is a multiple of 4 bytes. */
export const MAX_MESSAGE_SIZE = 0xfffc;
export class WireError extends Error {
    constructor(message) {
        super(message);
        this.name = "WireError";
    }
}
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const pad4 = (n) => (n + 3) & ~3;
export function toFixed(v) {
    return Math.round(v * 256) | 0;
}
export function fromFixed(raw) {
    return raw / 256;
}
/** Byte size of one argument on the wire (fds take none). */
function argSize(arg, value, what) {
    switch (arg.type) {
        case "int":
        case "uint":
        case "fixed":
        case "object":
        case "fd":
            return arg.type === "fd" ? 0 : 4;
        case "new_id":
            if (arg.interface)
                return 4;
            {
                const u = value;
                return 4 + pad4(encoder.encode(u.interface).length + 1) + 8;
            }
        case "string":
            if (value === null || value === undefined) {
                if (!arg.nullable)
                    throw new WireError(`${what()}: null for non-nullable string`);
                return 4;
            }
            return 4 + pad4(encoder.encode(value).length + 1);
        case "array":
            return 4 + pad4(value.length);
    }
}
/**
 * Encodes one message. `args` are wire values in signature order (objects as ids, 0 for null).
 * Descriptors are appended to `fds` in order.
 */
export function encodeMessage(objectId, opcode, spec, args, fds) {
    const what = () => `${spec.name}`;
    if (args.length !== spec.args.length)
        throw new WireError(`${spec.name}: expected ${spec.args.length} arguments, got ${args.length}`);
    let size = HEADER_SIZE;
    for (let i = 0; i < args.length; i++)
        size += argSize(spec.args[i], args[i], what);
    if (size > MAX_MESSAGE_SIZE)
        throw new WireError(`${spec.name}: message of ${size} bytes exceeds ${MAX_MESSAGE_SIZE}`);
    const out = new Uint8Array(size);
    const v = new DataView(out.buffer);
    v.setUint32(0, objectId >>> 0, true);
    v.setUint32(4, ((size << 16) | opcode) >>> 0, true);
    let p = HEADER_SIZE;
    const putString = (s) => {
        const bytes = encoder.encode(s);
        if (bytes.includes(0))
            throw new WireError(`${spec.name}: string contains NUL`);
        v.setUint32(p, bytes.length + 1, true);
        out.set(bytes, p + 4);
        p += 4 + pad4(bytes.length + 1);
    };
    for (let i = 0; i < args.length; i++) {
        const arg = spec.args[i];
        const value = args[i];
        const bad = (expect) => new WireError(`${spec.name}.${arg.name}: expected ${expect}, got ${typeof value}`);
        switch (arg.type) {
            case "int":
                if (typeof value !== "number" || !Number.isInteger(value))
                    throw bad("integer");
                if (value < -0x80000000 || value > 0x7fffffff)
                    throw new WireError(`${spec.name}.${arg.name}: ${value} out of int32 range`);
                v.setInt32(p, value, true);
                p += 4;
                break;
            case "uint":
            case "object":
                if (typeof value !== "number" || !Number.isInteger(value))
                    throw bad("integer");
                if (value < 0 || value > 0xffffffff)
                    throw new WireError(`${spec.name}.${arg.name}: ${value} out of uint32 range`);
                if (arg.type === "object" && value === 0 && !arg.nullable)
                    throw new WireError(`${spec.name}.${arg.name}: null for non-nullable object`);
                v.setUint32(p, value, true);
                p += 4;
                break;
            case "fixed":
                if (typeof value !== "number" || !Number.isFinite(value))
                    throw bad("finite number");
                v.setInt32(p, toFixed(value), true);
                p += 4;
                break;
            case "new_id":
                if (arg.interface) {
                    if (typeof value !== "number")
                        throw bad("id");
                    v.setUint32(p, value, true);
                    p += 4;
                }
                else {
                    const u = value;
                    putString(u.interface);
                    v.setUint32(p, u.version, true);
                    v.setUint32(p + 4, u.id, true);
                    p += 8;
                }
                break;
            case "string":
                if (value === null || value === undefined) {
                    v.setUint32(p, 0, true);
                    p += 4;
                }
                else {
                    if (typeof value !== "string")
                        throw bad("string");
                    putString(value);
                }
                break;
            case "array": {
                if (!(value instanceof Uint8Array))
                    throw bad("Uint8Array");
                v.setUint32(p, value.length, true);
                out.set(value, p + 4);
                p += 4 + pad4(value.length);
                break;
            }
            case "fd":
                if (typeof value !== "number" || !Number.isInteger(value) || value < 0)
                    throw bad("descriptor");
                fds.push(value);
                break;
        }
    }
    return out;
}
/** Reads the header at `offset`; returns null when fewer than 8 bytes are buffered. */
export function readHeader(buf, offset, length) {
    if (length - offset < HEADER_SIZE)
        return null;
    const v = new DataView(buf.buffer, buf.byteOffset + offset, HEADER_SIZE);
    const id = v.getUint32(0, true);
    const word = v.getUint32(4, true);
    const size = word >>> 16;
    const opcode = word & 0xffff;
    if (size < HEADER_SIZE || size % 4 !== 0)
        throw new WireError(`message for object ${id} opcode ${opcode} has invalid size ${size}`);
    return { id, opcode, size };
}
/**
 * Decodes the arguments of a message body (header excluded). `takeFd` yields the next received
 * descriptor or undefined. Object and new_id arguments come back as ids (0 = null).
 */
export function decodeArgs(spec, body, takeFd, where) {
    const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
    const out = [];
    let p = 0;
    const need = (n, arg) => {
        if (p + n > body.length)
            throw new WireError(`${where}: argument ${arg.name} (${arg.type}) runs past the end of a ${body.length + HEADER_SIZE}-byte message`);
    };
    const getString = (arg) => {
        need(4, arg);
        const len = v.getUint32(p, true);
        p += 4;
        if (len === 0) {
            if (!arg.nullable)
                throw new WireError(`${where}: null string for non-nullable ${arg.name}`);
            return null;
        }
        const padded = pad4(len);
        if (len > body.length - p || padded > body.length - p)
            throw new WireError(`${where}: string ${arg.name} of ${len} bytes exceeds the message`);
        if (body[p + len - 1] !== 0)
            throw new WireError(`${where}: string ${arg.name} is not NUL-terminated`);
        let s;
        try {
            s = decoder.decode(body.subarray(p, p + len - 1));
        }
        catch {
            throw new WireError(`${where}: string ${arg.name} is not valid UTF-8`);
        }
        if (s.includes("\0"))
            throw new WireError(`${where}: string ${arg.name} contains NUL`);
        p += padded;
        return s;
    };
    for (const arg of spec.args) {
        switch (arg.type) {
            case "int":
            case "fixed":
                need(4, arg);
                out.push(arg.type === "fixed" ? fromFixed(v.getInt32(p, true)) : v.getInt32(p, true));
                p += 4;
                break;
            case "uint":
            case "object":
                need(4, arg);
                out.push(v.getUint32(p, true));
                p += 4;
                break;
            case "new_id":
                if (arg.interface) {
                    need(4, arg);
                    const id = v.getUint32(p, true);
                    if (id === 0)
                        throw new WireError(`${where}: new_id ${arg.name} is 0`);
                    out.push(id);
                    p += 4;
                }
                else {
                    const iface = getString({ ...arg, nullable: false });
                    need(8, arg);
                    out.push({ interface: iface, version: v.getUint32(p, true), id: v.getUint32(p + 4, true) });
                    p += 8;
                }
                break;
            case "string":
                out.push(getString(arg));
                break;
            case "array": {
                need(4, arg);
                const len = v.getUint32(p, true);
                p += 4;
                if (len > body.length - p || pad4(len) > body.length - p)
                    throw new WireError(`${where}: array ${arg.name} of ${len} bytes exceeds the message`);
                out.push(body.slice(p, p + len));
                p += pad4(len);
                break;
            }
            case "fd": {
                const fd = takeFd();
                if (fd === undefined)
                    throw new WireError(`${where}: descriptor ${arg.name} missing (none received)`);
                out.push(fd);
                break;
            }
        }
    }
    if (p !== body.length)
        throw new WireError(`${where}: ${body.length - p} trailing bytes after the arguments`);
    return out;
}
//# sourceMappingURL=wire.js.map