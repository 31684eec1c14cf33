// Atomic requests with typed properties. Values are checked against the property definitions when
// added (errors name object and property); commit() runs a TEST_ONLY pass first and turns a failure
// into words that say what was being set.
import { SysError } from "../sys/libc.js";
import { DrmError } from "./device.js";
import { DrmEvents } from "./events.js";
import { addr, drmIoctl } from "./ioctl.js";
import { encodeProperty } from "./properties.js";
import { fixed16 } from "./types.js";
const FLAG = { pageFlipEvent: 0x1, async: 0x2, testOnly: 0x100, nonblock: 0x200, allowModeset: 0x400 };
export class AtomicError extends DrmError {
    code;
    testOnly;
    constructor(message, code, testOnly, cause) {
        super(message, cause);
        this.code = code;
        this.testOnly = testOnly;
        this.name = "AtomicError";
    }
}
const why = {
    EINVAL: "the driver rejected the configuration (a value, mode, size, format or combination it cannot do, or a modeset without allowModeset)",
    EACCES: "not DRM master: another process (a compositor, another client) owns the display",
    EPERM: "not DRM master: another process (a compositor, another client) owns the display",
    EBUSY: "a previous nonblocking commit or page flip on these CRTCs is still pending",
    ENOENT: "an object id in the request does not exist (e.g. a removed framebuffer or blob)",
    ERANGE: "a value is out of the property's range",
    ENOMEM: "the kernel is out of memory",
    ENOSPC: "a plane's source rectangle lies outside its framebuffer, or the display lacks the bandwidth/resources",
};
/** Property definitions per object, looked up once per device. */
const propCache = new WeakMap();
function objectProps(dev, kind, id) {
    let byObj = propCache.get(dev);
    if (!byObj)
        propCache.set(dev, (byObj = new Map()));
    const key = `${kind}:${id}`;
    let m = byObj.get(key);
    if (!m) {
        m = new Map();
        for (const [name, { info }] of dev.properties(kind, id))
            m.set(name, info);
        byObj.set(key, m);
    }
    return m;
}
export class AtomicRequest {
    dev;
    objects = new Map();
    constructor(dev) {
        this.dev = dev;
    }
    crtc(id, props) {
        return this.add("crtc", id, props);
    }
    plane(id, props) {
        return this.add("plane", id, props);
    }
    connector(id, props) {
        return this.add("connector", id, props);
    }
    /** Adds an already-encoded raw value (restore uses this to put back exactly what it read). */
    raw(kind, id, name, value) {
        const info = this.lookup(kind, id, name);
        this.entry(kind, id).props.set(info.id, { info, value });
        return this;
    }
    get empty() {
        return this.objects.size === 0;
    }
    add(kind, id, props) {
        for (const [name, input] of Object.entries(props)) {
            const info = this.lookup(kind, id, name);
            const value = encodeProperty(info, input, `${kind} ${id}`);
            this.entry(kind, id).props.set(info.id, { info, value });
        }
        return this;
    }
    lookup(kind, id, name) {
        const props = objectProps(this.dev, kind, id);
        const info = props.get(name);
        if (!info)
            throw new DrmError(`${kind} ${id} has no property ${name} (it has ${[...props.keys()].join(", ")})`);
        return info;
    }
    entry(kind, id) {
        const key = `${kind}:${id}`;
        let e = this.objects.get(key);
        if (!e)
            this.objects.set(key, (e = { kind, id, props: new Map() }));
        return e;
    }
    /** Human-readable content, for error messages and logs. */
    describe() {
        return [...this.objects.values()]
            .map((e) => `${e.kind} ${e.id} {${[...e.props.values()].map(({ info, value }) => `${info.name}=${show(info, value)}`).join(", ")}}`)
            .join("; ");
    }
    commit(options = {}) {
        if (this.objects.size === 0)
            throw new DrmError("atomic commit: empty request");
        if (!this.dev.atomic)
            throw new DrmError(`${this.dev.path}: atomic modesetting is not available on this device`);
        let flags = 0;
        if (options.allowModeset)
            flags |= FLAG.allowModeset;
        if ((options.preflight ?? true) && !options.testOnly)
            this.ioctl(flags | FLAG.testOnly, 0n, true);
        if (options.testOnly) {
            this.ioctl(flags | FLAG.testOnly, 0n, true);
            return { flip: undefined };
        }
        if (options.nonblock)
            flags |= FLAG.nonblock;
        if (!options.pageFlipEvent) {
            this.ioctl(flags, 0n, false);
            return { flip: undefined };
        }
        const w = DrmEvents.of(this.dev).expect();
        try {
            this.ioctl(flags | FLAG.pageFlipEvent, w.userData, false);
        }
        catch (e) {
            w.cancel();
            throw e;
        }
        return { flip: w.event };
    }
    ioctl(flags, userData, testOnly) {
        const objs = [...this.objects.values()];
        const nProps = objs.reduce((n, o) => n + o.props.size, 0);
        const objIds = Buffer.alloc(objs.length * 4);
        const counts = Buffer.alloc(objs.length * 4);
        const propIds = Buffer.alloc(nProps * 4);
        const values = Buffer.alloc(nProps * 8);
        let p = 0;
        objs.forEach((o, i) => {
            objIds.writeUInt32LE(o.id, i * 4);
            counts.writeUInt32LE(o.props.size, i * 4);
            for (const [pid, { value }] of o.props) {
                propIds.writeUInt32LE(pid, p * 4);
                values.writeBigUInt64LE(value, p * 8);
                p++;
            }
        });
        const a = Buffer.alloc(56);
        a.writeUInt32LE(flags, 0);
        a.writeUInt32LE(objs.length, 4);
        a.writeBigUInt64LE(addr(objIds), 8);
        a.writeBigUInt64LE(addr(counts), 16);
        a.writeBigUInt64LE(addr(propIds), 24);
        a.writeBigUInt64LE(addr(values), 32);
        a.writeBigUInt64LE(userData, 48);
        try {
            drmIoctl(this.dev.fd, "MODE_ATOMIC", a);
        }
        catch (e) {
            if (!(e instanceof SysError))
                throw e;
            const kind = testOnly ? "test-only atomic commit" : "atomic commit";
            const modeset = flags & FLAG.allowModeset ? ", modeset allowed" : "";
            throw new AtomicError(`${kind} failed with ${e.code}: ${why[e.code] ?? "unexpected error"}${modeset}; it was setting ${this.describe()}`, e.code, testOnly, e);
        }
    }
}
function show(info, v) {
    switch (info.kind) {
        case "fixed16":
            return `${fixed16.to(v)}`;
        case "enum":
            return info.enums?.find((e) => e.value === v)?.name ?? String(v);
        case "blob":
            return v === 0n ? "none" : `blob ${v}`;
        case "object":
            return v === 0n ? "none" : `${info.objectType ?? "object"} ${v}`;
        case "signedRange":
            return String(BigInt.asIntN(64, v));
        default:
            return String(v);
    }
}
//# sourceMappingURL=atomic.js.map