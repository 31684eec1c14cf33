// What zwp_linux_dmabuf_v1 accepts: v3 sends format/modifier events on the global; v4+ sends
// feedback (an mmap'd format table, main_device, tranches of table indices). Both end up as one
// map format -> modifiers. Table size, indices and dev_t arrays from the compositor are validated.
import { close as closeFd, mmap, PROT_READ } from "../sys/libc.js";
import { logger } from "../util/log.js";
const log = logger("wayland");
export const DRM_FORMAT_XRGB8888 = 0x34325258; // 'XR24'
export const DRM_FORMAT_ARGB8888 = 0x34325241; // 'AR24'
const MAX_TABLE_BYTES = 16 << 20;
function readDevT(a) {
    if (a.length !== 8)
        return undefined; // dev_t is 64-bit on Linux
    return new DataView(a.buffer, a.byteOffset, 8).getBigUint64(0, true);
}
/** Queries supported formats and modifiers through whichever path the bound version offers. */
export async function queryDmabufFormats(connection, dmabuf) {
    const formats = new Map();
    const add = (f, m) => {
        let s = formats.get(f);
        if (!s)
            formats.set(f, (s = new Set()));
        s.add(m);
    };
    if (dmabuf.version < 4) {
        dmabuf.listen({
            format: () => { }, // v1/v2 only; v3 follows each with modifier events
            modifier: (format, hi, lo) => add(format, (BigInt(hi) << 32n) | BigInt(lo)),
        });
        await connection.roundtrip();
        return { formats, mainDevice: undefined, source: "v3 events" };
    }
    const fb = dmabuf.get_default_feedback();
    let table = [];
    let mainDevice;
    let pending = [];
    let failure;
    const done = connection.waitFor((resolve) => {
        fb.listen({
            format_table: (fd, size) => {
                if (size <= 0 || size % 16 !== 0 || size > MAX_TABLE_BYTES) {
                    failure = new Error(`zwp_linux_dmabuf_feedback_v1.format_table: invalid size ${size}`);
                    return;
                }
                const m = mmap(fd.fd, size, PROT_READ);
                try {
                    const v = new DataView(m.buffer);
                    table = [];
                    for (let off = 0; off < size; off += 16)
                        table.push({ format: v.getUint32(off, true), modifier: v.getBigUint64(off + 8, true) });
                }
                finally {
                    m.unmap();
                }
            },
            main_device: (dev) => {
                mainDevice = readDevT(dev);
            },
            tranche_target_device: () => { },
            tranche_flags: () => { },
            tranche_formats: (indices) => {
                if (indices.length % 2 !== 0) {
                    failure = new Error(`zwp_linux_dmabuf_feedback_v1.tranche_formats: odd array length ${indices.length}`);
                    return;
                }
                const v = new DataView(indices.buffer, indices.byteOffset, indices.byteLength);
                for (let i = 0; i < indices.length; i += 2)
                    pending.push(v.getUint16(i, true));
            },
            tranche_done: () => {
                for (const i of pending) {
                    const e = table[i];
                    if (!e) {
                        failure = new Error(`zwp_linux_dmabuf_feedback_v1: tranche index ${i} outside a ${table.length}-entry table`);
                        continue;
                    }
                    add(e.format, e.modifier);
                }
                pending = [];
            },
            done: () => resolve(),
        });
    });
    await done;
    fb.destroy();
    if (failure)
        throw failure;
    log.debug(`dmabuf feedback: ${table.length} table entries, main device ${mainDevice ?? "unknown"}`);
    return { formats, mainDevice, source: "v4 default feedback" };
}
/** Picks the first of our modifiers that the compositor also lists for `format`. */
export function chooseModifiers(offered, ours) {
    if (!offered)
        return [];
    return ours.filter((m) => offered.has(m));
}
export { closeFd as closeDmabufFd };
//# sourceMappingURL=dmabuf.js.map