// Choosing where to show frames: a connected connector (or one named), a mode, a CRTC its encoders
// allow, and a primary plane on that CRTC that can scan out the format.
import { logger } from "../util/log.js";
import { DrmError } from "./device.js";
import { describeMode, DRM_FORMAT_XRGB8888, fourccName, pickMode, } from "./types.js";
const log = logger("drm");
export function chooseOutput(dev, options = {}) {
    const format = options.format ?? DRM_FORMAT_XRGB8888;
    const res = dev.resources();
    const connectors = res.connectors.map((id) => dev.connector(id)).filter((c) => c.type !== "Writeback");
    let connector;
    if (options.connector) {
        connector = connectors.find((c) => c.name === options.connector);
        if (!connector)
            throw new DrmError(`no connector named ${options.connector} on ${dev.path} (it has ${connectors.map((c) => c.name).join(", ") || "none"})`);
        if (connector.connection === "disconnected")
            throw new DrmError(`connector ${connector.name} has nothing connected`);
    }
    else {
        connector = connectors.find((c) => c.connection === "connected" && c.modes.length > 0);
        if (!connector)
            throw new DrmError(`no connected display on ${dev.path} (connectors: ${connectors.map((c) => `${c.name} ${c.connection}`).join(", ") || "none"})`);
    }
    const mode = pickMode(connector.modes, options.mode);
    if (!mode) {
        const list = [...new Set(connector.modes.map((m) => describeMode(m)))].join(", ");
        throw new DrmError(`mode ${options.mode ?? "(preferred)"} is not supported by ${connector.name}; it offers ${list || "no modes"}`);
    }
    const encoders = connector.encoders.map((e) => dev.encoder(e, res.crtcs));
    // prefer the encoder/CRTC already driving this connector (no need to steal another output's CRTC)
    const current = encoders.find((e) => e.id === connector.encoder && e.crtc !== undefined);
    const candidates = [];
    if (current)
        candidates.push({ encoder: current.id, crtc: current.crtc });
    for (const e of encoders)
        for (const c of e.possibleCrtcs)
            candidates.push({ encoder: e.id, crtc: c });
    const planes = dev.planes().map((p) => dev.plane(p, res.crtcs));
    for (const { encoder, crtc } of candidates) {
        const usable = planes.filter((p) => p.type === "Primary" && p.possibleCrtcs.includes(crtc) && p.formats.includes(format));
        const plane = usable.find((p) => p.crtc === crtc) ?? usable[0];
        if (plane) {
            log.info(`output: ${connector.name} ${describeMode(mode)} on crtc ${crtc} via encoder ${encoder}, primary plane ${plane.id}`);
            return { connector, mode, crtc, encoder, plane };
        }
    }
    throw new DrmError(`no CRTC with a primary plane supporting ${fourccName(format)} can drive ${connector.name}`);
}
//# sourceMappingURL=output.js.map