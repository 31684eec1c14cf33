// A DRM device: discovery through sysfs, one owned fd, version/caps/master, and the KMS queries
// (resources, connectors, encoders, CRTCs, planes, properties, blobs, framebuffers) over raw ioctls.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { close, open, O_NONBLOCK, O_RDWR, SysError } from "../sys/libc.js";
import { logger } from "../util/log.js";
import { addr, checkCount, cstr, drmIoctl, u32s, u64s } from "./ioctl.js";
import { makePropertyInfo, decodeProperty, parseInFormats } from "./properties.js";
import { connectionName, connectorTypeNames, decodeMode, encodeMode, encoderTypeNames, MODE_INFO_SIZE, ObjectType, optId, } from "./types.js";
const log = logger("drm");
/** Failure that a user can act on (no device, not master, bad mode...). */
export class DrmError extends Error {
    constructor(message, cause) {
        super(message, cause === undefined ? undefined : { cause });
        this.name = "DrmError";
    }
}
const DRI = "/dev/dri";
function busInfo(devPath) {
    let subsystem = "unknown";
    try {
        subsystem = basename(realpathSync(join(devPath, "subsystem")));
    }
    catch {
        /* virtual devices have no subsystem link */
    }
    const name = basename(devPath);
    if (subsystem === "pci") {
        const m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)\.([0-9a-f]+)$/i.exec(name);
        const hex = (file) => {
            try {
                return parseInt(readFileSync(join(devPath, file), "utf8").trim(), 16);
            }
            catch {
                return undefined;
            }
        };
        if (m)
            return {
                type: "pci",
                domain: parseInt(m[1], 16), bus: parseInt(m[2], 16), device: parseInt(m[3], 16), function: parseInt(m[4], 16),
                vendorId: hex("vendor"), deviceId: hex("device"),
            };
    }
    return { type: subsystem, name };
}
/** DRM devices of this machine, each with its primary and render nodes and bus info. [] without DRM. */
export function listDevices() {
    if (!existsSync(DRI))
        return [];
    const byDevice = new Map();
    for (const node of readdirSync(DRI).sort()) {
        const isCard = /^card\d+$/.test(node);
        const isRender = /^renderD\d+$/.test(node);
        if (!isCard && !isRender)
            continue;
        const path = join(DRI, node);
        let sysfs;
        try {
            const rdev = statSync(path).rdev;
            const major = Math.floor(rdev / 256) & 0xfff;
            const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
            sysfs = realpathSync(`/sys/dev/char/${major}:${minor}/device`);
        }
        catch {
            sysfs = path;
        }
        let info = byDevice.get(sysfs);
        if (!info) {
            let driver;
            try {
                driver = basename(realpathSync(join(sysfs, "driver")));
            }
            catch {
                driver = undefined;
            }
            info = { bus: busInfo(sysfs), driver, sysfs };
            byDevice.set(sysfs, info);
        }
        if (isCard)
            info.primary = path;
        else
            info.render = path;
    }
    return [...byDevice.values()];
}
/** The property values of one object, readable by name with typed values. */
export class PropertySet {
    owner;
    entries;
    constructor(owner, entries) {
        this.owner = owner;
        this.entries = entries;
    }
    has(name) {
        return this.entries.has(name);
    }
    names() {
        return [...this.entries.keys()];
    }
    info(name) {
        return this.entry(name).info;
    }
    raw(name) {
        return this.entry(name).raw;
    }
    value(name) {
        const e = this.entry(name);
        return decodeProperty(e.info, e.raw);
    }
    /** Raw value as a number (object ids, booleans, small ranges). */
    number(name) {
        return Number(this.raw(name));
    }
    enumName(name) {
        const v = this.value(name);
        if (v.kind !== "enum")
            throw new Error(`${this.owner}: property ${name} is ${v.kind}, not enum`);
        return v.name;
    }
    blob(name) {
        const v = this.value(name);
        if (v.kind !== "blob")
            throw new Error(`${this.owner}: property ${name} is ${v.kind}, not blob`);
        return v.blob;
    }
    [Symbol.iterator]() {
        return this.entries[Symbol.iterator]();
    }
    entry(name) {
        const e = this.entries.get(name);
        if (!e)
            throw new DrmError(`${this.owner} has no property ${name} (it has ${this.names().join(", ")})`);
        return e;
    }
}
// ---------------------------------------------------------------------------------------------
// Device
export const ClientCap = { stereo3d: 1, universalPlanes: 2, atomic: 3, aspectRatio: 4, writebackConnectors: 5 };
export const Cap = {
    dumbBuffer: 0x1, vblankHighCrtc: 0x2, dumbPreferredDepth: 0x3, dumbPreferShadow: 0x4, prime: 0x5,
    timestampMonotonic: 0x6, asyncPageFlip: 0x7, cursorWidth: 0x8, cursorHeight: 0x9, addFb2Modifiers: 0x10,
    pageFlipTarget: 0x11, crtcInVblankEvent: 0x12, syncobj: 0x13, syncobjTimeline: 0x14,
};
/** An open DRM device node. Owns its fd; `close()` (or `using`) releases it. */
export class DrmDevice {
    path;
    fdValue;
    propInfo = new Map();
    atomic = false;
    constructor(path, fd) {
        this.path = path;
        this.fdValue = fd;
    }
    /** Opens `path`, or the first primary node when omitted; errors say clearly when there is no DRM. */
    static open(path, options = {}) {
        if (!path) {
            const devices = listDevices().filter((d) => d.primary);
            if (devices.length === 0)
                throw new DrmError(existsSync(DRI)
                    ? `no DRM device: ${DRI} has no card* node`
                    : `no DRM device: ${DRI} does not exist (this kernel has no DRM driver loaded)`);
            path = devices[0].primary;
        }
        let fd;
        try {
            fd = open(path, O_RDWR | O_NONBLOCK);
        }
        catch (e) {
            const code = e instanceof SysError ? e.code : "";
            const why = code === "ENOENT" ? "no such device" : code === "EACCES" ? "permission denied (need root or the video group)" : String(e);
            throw new DrmError(`cannot open DRM device ${path}: ${why}`, e);
        }
        const dev = new DrmDevice(path, fd);
        try {
            if (options.atomic ?? true) {
                dev.setClientCap("universalPlanes", 1);
                try {
                    dev.setClientCap("atomic", 1);
                    dev.atomic = true;
                }
                catch (e) {
                    log.info(`${path}: no atomic modesetting (${e instanceof Error ? e.message : e}); legacy only`);
                }
            }
        }
        catch (e) {
            dev.close();
            throw e;
        }
        return dev;
    }
    get fd() {
        if (this.fdValue < 0)
            throw new DrmError(`DRM device ${this.path} is closed`);
        return this.fdValue;
    }
    get closed() {
        return this.fdValue < 0;
    }
    close() {
        if (this.fdValue < 0)
            return;
        const fd = this.fdValue;
        // hooks (restore, event readers) still need the fd, so it is marked closed only after them
        for (const hook of this.closeHooks.splice(0).reverse()) {
            try {
                hook();
            }
            catch (e) {
                log.warn(`${this.path}: while closing: ${e instanceof Error ? e.message : e}`);
            }
        }
        this.fdValue = -1;
        close(fd);
    }
    [Symbol.dispose]() {
        this.close();
    }
    closeHooks = [];
    /** Runs fn just before the fd closes (event readers, restore). */
    onClose(fn) {
        this.closeHooks.push(fn);
    }
    version() {
        const a = Buffer.alloc(64);
        drmIoctl(this.fd, "VERSION", a, this.path);
        const lens = [16, 32, 48].map((o) => checkCount("drm_version string", Number(a.readBigUInt64LE(o)), 1 << 16));
        const bufs = lens.map((n) => Buffer.alloc(n + 1));
        [24, 40, 56].forEach((o, i) => a.writeBigUInt64LE(addr(bufs[i]), o));
        drmIoctl(this.fd, "VERSION", a, this.path);
        const s = (i) => cstr(bufs[i], 0, lens[i]);
        return { major: a.readInt32LE(0), minor: a.readInt32LE(4), patch: a.readInt32LE(8), name: s(0), date: s(1), description: s(2) };
    }
    getCap(cap) {
        const a = Buffer.alloc(16);
        a.writeBigUInt64LE(BigInt(Cap[cap]), 0);
        drmIoctl(this.fd, "GET_CAP", a, `${this.path} cap ${cap}`);
        return a.readBigUInt64LE(8);
    }
    setClientCap(cap, value) {
        const a = Buffer.alloc(16);
        a.writeBigUInt64LE(BigInt(ClientCap[cap]), 0);
        a.writeBigUInt64LE(BigInt(value), 8);
        drmIoctl(this.fd, "SET_CLIENT_CAP", a, `${this.path} client cap ${cap}=${value}`);
    }
    /** Whether this fd is DRM master (probed as libdrm does: AUTH_MAGIC(0) is EACCES only for non-masters). */
    isMaster() {
        try {
            drmIoctl(this.fd, "AUTH_MAGIC", Buffer.alloc(4));
            return true;
        }
        catch (e) {
            if (e instanceof SysError && e.code === "EACCES")
                return false;
            return true;
        }
    }
    setMaster() {
        try {
            drmIoctl(this.fd, "SET_MASTER", null, this.path);
        }
        catch (e) {
            throw new DrmError(`cannot become DRM master of ${this.path}: ${e instanceof SysError ? e.code : e} (another process, e.g. a compositor, holds it)`, e);
        }
    }
    dropMaster() {
        drmIoctl(this.fd, "DROP_MASTER", null, this.path);
    }
    // -------------------------------------------------------------------------------------------
    // KMS queries
    resources() {
        for (let attempt = 0;; attempt++) {
            const a = Buffer.alloc(64);
            drmIoctl(this.fd, "MODE_GETRESOURCES", a, this.path);
            const counts = [32, 36, 40, 44].map((o) => checkCount("mode resources", a.readUInt32LE(o)));
            const bufs = counts.map((n) => Buffer.alloc(n * 4));
            [0, 8, 16, 24].forEach((o, i) => a.writeBigUInt64LE(addr(bufs[i]), o));
            drmIoctl(this.fd, "MODE_GETRESOURCES", a, this.path);
            const again = [32, 36, 40, 44].map((o) => a.readUInt32LE(o));
            // a hotplug between the calls can grow the lists: ask again
            if (again.some((n, i) => n > counts[i]) && attempt < 5)
                continue;
            const [fbs, crtcs, connectors, encoders] = bufs.map((b, i) => u32s(b, Math.min(counts[i], again[i])));
            return {
                fbs: fbs, crtcs: crtcs, connectors: connectors, encoders: encoders,
                minWidth: a.readUInt32LE(48), maxWidth: a.readUInt32LE(52), minHeight: a.readUInt32LE(56), maxHeight: a.readUInt32LE(60),
            };
        }
    }
    connector(id) {
        const what = `connector ${id}`;
        for (let attempt = 0;; attempt++) {
            const a = Buffer.alloc(80);
            a.writeUInt32LE(id, 48);
            drmIoctl(this.fd, "MODE_GETCONNECTOR", a, what);
            const nModes = checkCount(`${what} modes`, a.readUInt32LE(32));
            const nEnc = checkCount(`${what} encoders`, a.readUInt32LE(40));
            const modes = Buffer.alloc(nModes * MODE_INFO_SIZE);
            const encs = Buffer.alloc(nEnc * 4);
            const b = Buffer.alloc(80);
            b.writeUInt32LE(id, 48);
            b.writeBigUInt64LE(addr(encs), 0);
            b.writeBigUInt64LE(addr(modes), 8);
            b.writeUInt32LE(nModes, 32);
            b.writeUInt32LE(nEnc, 40);
            drmIoctl(this.fd, "MODE_GETCONNECTOR", b, what);
            if ((b.readUInt32LE(32) > nModes || b.readUInt32LE(40) > nEnc) && attempt < 5)
                continue;
            const typeRaw = b.readUInt32LE(52);
            const typeId = b.readUInt32LE(56);
            const type = connectorTypeNames[typeRaw] ?? `type ${typeRaw}`;
            const modeList = [];
            for (let i = 0; i < Math.min(nModes, b.readUInt32LE(32)); i++)
                modeList.push(decodeMode(modes, i * MODE_INFO_SIZE));
            return {
                id, type, typeId, name: `${type}-${typeId}`,
                connection: connectionName(b.readUInt32LE(60)),
                mmWidth: b.readUInt32LE(64), mmHeight: b.readUInt32LE(68),
                modes: modeList,
                encoders: u32s(encs, Math.min(nEnc, b.readUInt32LE(40))),
                encoder: optId(b.readUInt32LE(44)),
            };
        }
    }
    encoder(id, crtcs = this.resources().crtcs) {
        const a = Buffer.alloc(20);
        a.writeUInt32LE(id, 0);
        drmIoctl(this.fd, "MODE_GETENCODER", a, `encoder ${id}`);
        const type = a.readUInt32LE(4);
        return {
            id, type: encoderTypeNames[type] ?? `type ${type}`,
            crtc: optId(a.readUInt32LE(8)),
            possibleCrtcs: maskToIds(a.readUInt32LE(12), crtcs),
        };
    }
    crtc(id, crtcs = this.resources().crtcs) {
        const a = Buffer.alloc(104);
        a.writeUInt32LE(id, 12);
        drmIoctl(this.fd, "MODE_GETCRTC", a, `crtc ${id}`);
        return {
            id, index: crtcs.indexOf(id),
            fb: optId(a.readUInt32LE(16)),
            x: a.readUInt32LE(20), y: a.readUInt32LE(24), gammaSize: a.readUInt32LE(28),
            mode: a.readUInt32LE(32) ? decodeMode(a, 36) : undefined,
        };
    }
    planes() {
        const a = Buffer.alloc(16);
        drmIoctl(this.fd, "MODE_GETPLANERESOURCES", a, this.path);
        const n = checkCount("planes", a.readUInt32LE(8));
        const ids = Buffer.alloc(n * 4);
        a.writeBigUInt64LE(addr(ids), 0);
        drmIoctl(this.fd, "MODE_GETPLANERESOURCES", a, this.path);
        return u32s(ids, Math.min(n, a.readUInt32LE(8)));
    }
    plane(id, crtcs = this.resources().crtcs) {
        const what = `plane ${id}`;
        const a = Buffer.alloc(32);
        a.writeUInt32LE(id, 0);
        drmIoctl(this.fd, "MODE_GETPLANE", a, what);
        const n = checkCount(`${what} formats`, a.readUInt32LE(20));
        const fmts = Buffer.alloc(n * 4);
        a.writeBigUInt64LE(addr(fmts), 24);
        drmIoctl(this.fd, "MODE_GETPLANE", a, what);
        const props = this.properties("plane", id);
        let modifiers;
        if (props.has("IN_FORMATS")) {
            const blob = props.blob("IN_FORMATS");
            if (blob !== undefined)
                modifiers = parseInFormats(this.blob(blob));
        }
        return {
            id,
            type: props.has("type") ? props.enumName("type") : undefined,
            crtc: optId(a.readUInt32LE(4)),
            fb: optId(a.readUInt32LE(8)),
            possibleCrtcs: maskToIds(a.readUInt32LE(12), crtcs),
            formats: u32s(fmts, Math.min(n, a.readUInt32LE(20))),
            modifiers,
        };
    }
    /** Definition of a property (cached: definitions do not change while the device is open). */
    propertyInfo(id) {
        const cached = this.propInfo.get(id);
        if (cached)
            return cached;
        const what = `property ${id}`;
        const a = Buffer.alloc(64);
        a.writeUInt32LE(id, 16);
        drmIoctl(this.fd, "MODE_GETPROPERTY", a, what);
        const nValues = checkCount(`${what} values`, a.readUInt32LE(56));
        const nEnums = checkCount(`${what} enums`, a.readUInt32LE(60));
        const values = Buffer.alloc(nValues * 8);
        const enums = Buffer.alloc(nEnums * 40);
        const flags0 = a.readUInt32LE(20);
        a.writeBigUInt64LE(addr(values), 0);
        // for blob properties the kernel fills enum_blob_ptr with blob ids, not enums: leave it empty
        const isEnum = (flags0 & (8 | 32)) !== 0;
        a.writeBigUInt64LE(isEnum ? addr(enums) : 0n, 8);
        if (!isEnum)
            a.writeUInt32LE(0, 60);
        drmIoctl(this.fd, "MODE_GETPROPERTY", a, what);
        const name = cstr(a, 24, 32);
        const enumList = isEnum
            ? Array.from({ length: Math.min(nEnums, a.readUInt32LE(60)) }, (_, i) => ({
                value: enums.readBigUInt64LE(i * 40),
                name: cstr(enums, i * 40 + 8, 32),
            }))
            : [];
        const info = makePropertyInfo(id, name, a.readUInt32LE(20), u64s(values, Math.min(nValues, a.readUInt32LE(56))), enumList);
        this.propInfo.set(id, info);
        return info;
    }
    properties(kind, id) {
        const owner = `${kind} ${id}`;
        for (let attempt = 0;; attempt++) {
            const a = Buffer.alloc(32);
            a.writeUInt32LE(id, 20);
            a.writeUInt32LE(ObjectType[kind], 24);
            drmIoctl(this.fd, "MODE_OBJ_GETPROPERTIES", a, owner);
            const n = checkCount(`${owner} properties`, a.readUInt32LE(16));
            const ids = Buffer.alloc(n * 4);
            const vals = Buffer.alloc(n * 8);
            a.writeBigUInt64LE(addr(ids), 0);
            a.writeBigUInt64LE(addr(vals), 8);
            drmIoctl(this.fd, "MODE_OBJ_GETPROPERTIES", a, owner);
            if (a.readUInt32LE(16) > n && attempt < 5)
                continue;
            const m = new Map();
            const idList = u32s(ids, Math.min(n, a.readUInt32LE(16)));
            const valList = u64s(vals, idList.length);
            idList.forEach((pid, i) => {
                const info = this.propertyInfo(pid);
                m.set(info.name, { info, raw: valList[i] });
            });
            return new PropertySet(owner, m);
        }
    }
    blob(id) {
        const what = `blob ${id}`;
        const a = Buffer.alloc(16);
        a.writeUInt32LE(id, 0);
        drmIoctl(this.fd, "MODE_GETPROPBLOB", a, what);
        const len = checkCount(`${what} length`, a.readUInt32LE(4), 1 << 24);
        const data = Buffer.alloc(len);
        a.writeBigUInt64LE(addr(data), 8);
        drmIoctl(this.fd, "MODE_GETPROPBLOB", a, what);
        if (a.readUInt32LE(4) !== len)
            throw new DrmError(`${what} changed size while being read`);
        return data;
    }
    createBlob(data) {
        const buf = Buffer.from(data);
        const a = Buffer.alloc(16);
        a.writeBigUInt64LE(addr(buf), 0);
        a.writeUInt32LE(buf.length, 8);
        drmIoctl(this.fd, "MODE_CREATEPROPBLOB", a, `new blob of ${buf.length} bytes`);
        return a.readUInt32LE(12);
    }
    destroyBlob(id) {
        const a = Buffer.alloc(4);
        a.writeUInt32LE(id, 0);
        drmIoctl(this.fd, "MODE_DESTROYPROPBLOB", a, `blob ${id}`);
    }
    createModeBlob(mode) {
        return this.createBlob(encodeMode(mode));
    }
    modeFromBlob(id) {
        const b = this.blob(id);
        if (b.length < MODE_INFO_SIZE)
            throw new DrmError(`blob ${id}: ${b.length} bytes is not a mode`);
        return decodeMode(b);
    }
    addFramebuffer(fb) {
        const n = fb.handles.length;
        if (n < 1 || n > 4 || fb.pitches.length !== n || fb.offsets.length !== n)
            throw new DrmError(`AddFB2: handles/pitches/offsets must have 1..4 equal-length entries`);
        const a = Buffer.alloc(104);
        a.writeUInt32LE(fb.width, 4);
        a.writeUInt32LE(fb.height, 8);
        a.writeUInt32LE(fb.format, 12);
        a.writeUInt32LE(fb.modifier === undefined ? 0 : 2 /* DRM_MODE_FB_MODIFIERS */, 16);
        for (let i = 0; i < n; i++) {
            a.writeUInt32LE(fb.handles[i], 20 + i * 4);
            a.writeUInt32LE(fb.pitches[i], 36 + i * 4);
            a.writeUInt32LE(fb.offsets[i], 52 + i * 4);
            if (fb.modifier !== undefined)
                a.writeBigUInt64LE(fb.modifier, 72 + i * 8);
        }
        drmIoctl(this.fd, "MODE_ADDFB2", a, `${fb.width}x${fb.height} format 0x${fb.format.toString(16)}${fb.modifier !== undefined ? ` modifier 0x${fb.modifier.toString(16)}` : ""}`);
        return a.readUInt32LE(0);
    }
    removeFramebuffer(id) {
        const a = Buffer.alloc(4);
        a.writeUInt32LE(id, 0);
        drmIoctl(this.fd, "MODE_RMFB", a, `framebuffer ${id}`);
    }
    /** Whether a framebuffer id still exists (GETFB; the returned GEM handle is closed at once). */
    framebufferExists(id) {
        const a = Buffer.alloc(28);
        a.writeUInt32LE(id, 0);
        try {
            drmIoctl(this.fd, "MODE_GETFB", a, `framebuffer ${id}`);
        }
        catch (e) {
            if (e instanceof SysError && e.code === "ENOENT")
                return false;
            throw e;
        }
        const handle = a.readUInt32LE(24);
        if (handle)
            this.closeHandle(handle);
        return true;
    }
    /** PRIME import: a GEM handle for a dmabuf fd (the fd stays the caller's). */
    importDmabuf(fd) {
        const a = Buffer.alloc(12);
        a.writeInt32LE(fd, 8);
        drmIoctl(this.fd, "PRIME_FD_TO_HANDLE", a, `dmabuf fd ${fd}`);
        return a.readUInt32LE(0);
    }
    /** PRIME export: a CLOEXEC dmabuf fd for a GEM handle, owned by the caller. */
    exportDmabuf(handle) {
        const a = Buffer.alloc(12);
        a.writeUInt32LE(handle, 0);
        a.writeUInt32LE(0o2000000 | 2 /* DRM_CLOEXEC | DRM_RDWR */, 4);
        drmIoctl(this.fd, "PRIME_HANDLE_TO_FD", a, `GEM handle ${handle}`);
        return a.readInt32LE(8);
    }
    closeHandle(handle) {
        const a = Buffer.alloc(8);
        a.writeUInt32LE(handle, 0);
        drmIoctl(this.fd, "GEM_CLOSE", a, `GEM handle ${handle}`);
    }
    /** Legacy SETCRTC (used only when atomic is unavailable, and by restore's fallback). */
    setCrtcLegacy(crtc, fb, mode, connectors, x = 0, y = 0) {
        const conns = Buffer.alloc(connectors.length * 4);
        connectors.forEach((c, i) => conns.writeUInt32LE(c, i * 4));
        const a = Buffer.alloc(104);
        a.writeBigUInt64LE(addr(conns), 0);
        a.writeUInt32LE(connectors.length, 8);
        a.writeUInt32LE(crtc, 12);
        a.writeUInt32LE(fb ?? 0, 16);
        a.writeUInt32LE(x, 20);
        a.writeUInt32LE(y, 24);
        if (mode) {
            a.writeUInt32LE(1, 32);
            encodeMode(mode, a, 36);
        }
        drmIoctl(this.fd, "MODE_SETCRTC", a, `crtc ${crtc}`);
    }
    /** Legacy SETPLANE with fb undefined: disables the plane. */
    disablePlaneLegacy(plane) {
        const a = Buffer.alloc(48);
        a.writeUInt32LE(plane, 0);
        drmIoctl(this.fd, "MODE_SETPLANE", a, `plane ${plane}`);
    }
}
function maskToIds(mask, ids) {
    return ids.filter((_, i) => i < 32 && (mask >>> i) & 1);
}
//# sourceMappingURL=device.js.map