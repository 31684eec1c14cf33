// KMS value types: branded object ids (a ConnectorId is not a CrtcId), modes, fourcc and 16.16 fixed
// point. Pure code: no ioctls here, so it is unit-tested on hosts without DRM.
/** 0 means "no object" in the uapi; we say undefined instead. */
export function optId(raw) {
    const n = Number(raw);
    return n === 0 ? undefined : n;
}
export const ObjectType = {
    crtc: 0xcccccccc,
    connector: 0xc0c0c0c0,
    encoder: 0xe0e0e0e0,
    mode: 0xdededede,
    property: 0xb0b0b0b0,
    framebuffer: 0xfbfbfbfb,
    blob: 0xbbbbbbbb,
    plane: 0xeeeeeeee,
};
export const connectorTypeNames = [
    "Unknown", "VGA", "DVI-I", "DVI-D", "DVI-A", "Composite", "SVIDEO", "LVDS", "Component", "DIN", "DP",
    "HDMI-A", "HDMI-B", "TV", "eDP", "Virtual", "DSI", "DPI", "Writeback", "SPI", "USB",
];
export const encoderTypeNames = ["None", "DAC", "TMDS", "LVDS", "TVDAC", "Virtual", "DSI", "DPMST", "DPI"];
export function connectionName(raw) {
    return raw === 1 ? "connected" : raw === 2 ? "disconnected" : "unknown";
}
/** 16.16 fixed point, as the SRC_X/Y/W/H plane properties take it. */
export const fixed16 = {
    from(value) {
        if (!(value >= 0) || value >= 65536)
            throw new RangeError(`16.16 fixed point: ${value} is out of range [0, 65536)`);
        return BigInt(Math.round(value * 65536));
    },
    to(raw) {
        return Number(raw) / 65536;
    },
};
export function fourcc(code) {
    if (code.length !== 4)
        throw new Error(`fourcc "${code}" must have 4 characters`);
    return (code.charCodeAt(0) | (code.charCodeAt(1) << 8) | (code.charCodeAt(2) << 16) | (code.charCodeAt(3) << 24)) >>> 0;
}
export function fourccName(format) {
    return String.fromCharCode(format & 0xff, (format >> 8) & 0xff, (format >> 16) & 0xff, (format >>> 24) & 0xff);
}
export const DRM_FORMAT_XRGB8888 = fourcc("XR24");
export const DRM_FORMAT_ARGB8888 = fourcc("AR24");
export const DRM_FORMAT_MOD_LINEAR = 0n;
export const DRM_FORMAT_MOD_INVALID = 0x00ffffffffffffffn;
export const MODE_INFO_SIZE = 68;
export const DRM_MODE_TYPE_PREFERRED = 1 << 3;
const DRM_MODE_FLAG_INTERLACE = 1 << 4;
const DRM_MODE_FLAG_DBLSCAN = 1 << 5;
export function decodeMode(buf, o = 0) {
    const h = (i) => buf.readUInt16LE(o + 4 + i * 2);
    const end = buf.indexOf(0, o + 36);
    return {
        clock: buf.readUInt32LE(o),
        hdisplay: h(0), hsyncStart: h(1), hsyncEnd: h(2), htotal: h(3), hskew: h(4),
        vdisplay: h(5), vsyncStart: h(6), vsyncEnd: h(7), vtotal: h(8), vscan: h(9),
        vrefresh: buf.readUInt32LE(o + 24),
        flags: buf.readUInt32LE(o + 28),
        type: buf.readUInt32LE(o + 32),
        name: buf.toString("latin1", o + 36, end < 0 || end > o + 68 ? o + 68 : end),
    };
}
export function encodeMode(m, buf = Buffer.alloc(MODE_INFO_SIZE), o = 0) {
    buf.writeUInt32LE(m.clock, o);
    [m.hdisplay, m.hsyncStart, m.hsyncEnd, m.htotal, m.hskew, m.vdisplay, m.vsyncStart, m.vsyncEnd, m.vtotal, m.vscan]
        .forEach((v, i) => buf.writeUInt16LE(v, o + 4 + i * 2));
    buf.writeUInt32LE(m.vrefresh, o + 24);
    buf.writeUInt32LE(m.flags, o + 28);
    buf.writeUInt32LE(m.type, o + 32);
    buf.fill(0, o + 36, o + 68);
    buf.write(m.name.slice(0, 31), o + 36, "latin1");
    return buf;
}
/** Refresh rate in Hz computed from the timings (more precise than the integer vrefresh). */
export function modeRefresh(m) {
    if (m.htotal === 0 || m.vtotal === 0)
        return m.vrefresh;
    let hz = (m.clock * 1000) / (m.htotal * m.vtotal);
    if (m.flags & DRM_MODE_FLAG_INTERLACE)
        hz *= 2;
    if (m.flags & DRM_MODE_FLAG_DBLSCAN)
        hz /= 2;
    if (m.vscan > 1)
        hz /= m.vscan;
    return hz;
}
export function modeEquals(a, b) {
    if (!a || !b)
        return a === b;
    return (a.clock === b.clock && a.hdisplay === b.hdisplay && a.hsyncStart === b.hsyncStart && a.hsyncEnd === b.hsyncEnd &&
        a.htotal === b.htotal && a.hskew === b.hskew && a.vdisplay === b.vdisplay && a.vsyncStart === b.vsyncStart &&
        a.vsyncEnd === b.vsyncEnd && a.vtotal === b.vtotal && a.vscan === b.vscan && a.flags === b.flags);
}
export function describeMode(m) {
    return `${m.hdisplay}x${m.vdisplay}@${modeRefresh(m).toFixed(2)}`;
}
/** Parses "WxH" or "WxH@Hz". */
export function parseModeSpec(spec) {
    const m = /^(\d+)x(\d+)(?:@(\d+(?:\.\d+)?))?$/.exec(spec.trim());
    if (!m)
        throw new Error(`mode "${spec}": expected WIDTHxHEIGHT or WIDTHxHEIGHT@HZ`);
    return { width: Number(m[1]), height: Number(m[2]), refresh: m[3] === undefined ? undefined : Number(m[3]) };
}
/** Picks the mode matching spec (closest refresh when several), or the preferred/first one without spec. */
export function pickMode(modes, spec) {
    if (!spec)
        return modes.find((m) => m.type & DRM_MODE_TYPE_PREFERRED) ?? modes[0];
    const want = parseModeSpec(spec);
    const same = modes.filter((m) => m.hdisplay === want.width && m.vdisplay === want.height);
    if (want.refresh === undefined)
        return same.find((m) => m.type & DRM_MODE_TYPE_PREFERRED) ?? same[0];
    const r = want.refresh;
    const best = same.sort((a, b) => Math.abs(modeRefresh(a) - r) - Math.abs(modeRefresh(b) - r))[0];
    return best && Math.abs(modeRefresh(best) - r) < 0.5 ? best : undefined;
}
//# sourceMappingURL=types.js.map