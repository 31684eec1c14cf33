// Saving the complete KMS state before we touch the display and putting it back on every way out:
// normal exit, SIGINT, SIGTERM and uncaught errors. Restore writes only what differs from the saved
// state, atomically with ALLOW_MODESET, and falls back to legacy SETCRTC/SETPLANE.
import { logger } from "../util/log.js";
import { AtomicRequest } from "./atomic.js";
import { modeEquals, } from "./types.js";
const log = logger("drm");
/** Properties we never write back: legacy-only or kernel-managed. */
const SKIP = new Set(["DPMS", "link-status", "EDID", "PATH", "TILE", "WRITEBACK_PIXEL_FORMATS", "IN_FORMATS", "content protection"]);
function saveObject(dev, kind, id) {
    const props = new Map();
    const blobs = new Map();
    for (const [name, { info, raw }] of dev.properties(kind, id)) {
        if (info.immutable || SKIP.has(name))
            continue;
        props.set(name, raw);
        if (info.kind === "blob")
            blobs.set(name, raw === 0n ? undefined : dev.blob(Number(raw)));
    }
    return { kind, id, props, blobs };
}
export function saveState(dev) {
    const res = dev.resources();
    const connectors = res.connectors.map((c) => dev.connector(c));
    const encoders = new Map(res.encoders.map((e) => [e, dev.encoder(e, res.crtcs)]));
    const legacy = res.crtcs.map((id) => {
        const c = dev.crtc(id, res.crtcs);
        const bound = connectors.filter((k) => k.encoder !== undefined && encoders.get(k.encoder)?.crtc === id).map((k) => k.id);
        return { crtc: id, fb: c.fb, mode: c.mode, connectors: bound, x: c.x, y: c.y };
    });
    if (!dev.atomic)
        return { crtcs: [], planes: [], connectors: [], legacy };
    return {
        crtcs: res.crtcs.map((id) => saveObject(dev, "crtc", id)),
        planes: dev.planes().map((id) => saveObject(dev, "plane", id)),
        connectors: res.connectors.map((id) => saveObject(dev, "connector", id)),
        legacy,
    };
}
/** Builds the atomic request that turns the current state back into `saved` (only what differs). */
function restoreRequest(dev, saved, created) {
    const req = new AtomicRequest(dev);
    const disabledPlanes = new Set();
    for (const obj of [...saved.connectors, ...saved.crtcs, ...saved.planes]) {
        const now = dev.properties(obj.kind, obj.id);
        for (const [name, raw] of obj.props) {
            if (!now.has(name))
                continue;
            const info = now.info(name);
            const cur = now.raw(name);
            if (info.kind === "blob") {
                const want = obj.blobs.get(name);
                const curData = cur === 0n ? undefined : dev.blob(Number(cur));
                const same = name === "MODE_ID" && want && curData && want.length >= 68 && curData.length >= 68
                    ? modeEqualsBuf(want, curData)
                    : want === undefined ? curData === undefined : curData !== undefined && want.equals(curData);
                if (same)
                    continue;
                let id = 0n;
                if (want) {
                    const b = dev.createBlob(want);
                    created.push(b);
                    id = BigInt(b);
                }
                req.raw(obj.kind, obj.id, name, id);
                continue;
            }
            if (cur === raw)
                continue;
            if (obj.kind === "plane" && name === "FB_ID" && raw !== 0n && !dev.framebufferExists(Number(raw))) {
                // its owner is gone: the best we can do is leave the plane off
                log.warn(`restore: framebuffer ${raw} of plane ${obj.id} no longer exists; disabling the plane`);
                disabledPlanes.add(obj.id);
                req.raw("plane", obj.id, "FB_ID", 0n).raw("plane", obj.id, "CRTC_ID", 0n);
                continue;
            }
            if (obj.kind === "plane" && disabledPlanes.has(obj.id) && (name === "CRTC_ID" || name === "FB_ID"))
                continue;
            req.raw(obj.kind, obj.id, name, raw);
        }
    }
    return req;
}
function modeEqualsBuf(a, b) {
    // compare timings, ignoring name/type (a recreated mode may differ there)
    return a.subarray(0, 32).equals(b.subarray(0, 32));
}
/** Puts the saved state back. Synchronous (it runs from process 'exit' and signal handlers). */
export function restoreState(dev, saved) {
    if (dev.closed)
        throw new Error("restore: device is already closed (closing it dropped our framebuffers)");
    if (dev.atomic && saved.crtcs.length > 0) {
        const created = [];
        try {
            const req = restoreRequest(dev, saved, created);
            if (req.empty) {
                log.debug("restore: KMS state is unchanged");
                return;
            }
            log.debug(`restore: ${req.describe()}`);
            req.commit({ allowModeset: true });
            return;
        }
        catch (e) {
            log.warn(`restore: atomic restore failed (${e instanceof Error ? e.message : e}); trying legacy SETCRTC`);
        }
        finally {
            for (const b of created) {
                try {
                    dev.destroyBlob(b); // the committed state holds its own reference
                }
                catch {
                    /* already gone */
                }
            }
        }
    }
    const planes = saved.planes;
    for (const p of planes) {
        if (p.props.get("FB_ID") === 0n) {
            try {
                dev.disablePlaneLegacy(p.id);
            }
            catch {
                /* primary planes cannot be disabled this way; SETCRTC below handles them */
            }
        }
    }
    for (const c of saved.legacy) {
        const fb = c.fb !== undefined && dev.framebufferExists(c.fb) ? c.fb : undefined;
        if (c.mode && fb !== undefined)
            dev.setCrtcLegacy(c.crtc, fb, c.mode, c.connectors, c.x, c.y);
        else
            dev.setCrtcLegacy(c.crtc, undefined, undefined, []);
    }
}
export function summarizeState(dev) {
    const res = dev.resources();
    const describe = (m) => m && `${m.hdisplay}x${m.vdisplay} ${m.clock} ${m.htotal} ${m.vtotal} ${m.flags}`;
    return {
        crtcs: res.crtcs.map((id) => {
            const c = dev.crtc(id, res.crtcs);
            const p = dev.properties("crtc", id);
            const blob = p.has("MODE_ID") ? p.blob("MODE_ID") : undefined;
            const mode = blob !== undefined ? dev.modeFromBlob(blob) : undefined;
            if (mode && c.mode && !modeEquals(mode, c.mode))
                throw new Error(`crtc ${id}: MODE_ID and GETCRTC disagree`);
            return { id, active: p.has("ACTIVE") ? p.number("ACTIVE") === 1 : c.mode !== undefined, mode: describe(mode ?? c.mode), fb: c.fb };
        }),
        planes: dev.planes().map((id) => {
            const p = dev.properties("plane", id);
            const n = (name) => (p.has(name) ? p.number(name) : 0);
            return {
                id,
                crtc: n("CRTC_ID") || undefined,
                fb: n("FB_ID") || undefined,
                src: ["SRC_X", "SRC_Y", "SRC_W", "SRC_H"].map((k) => n(k) / 65536),
                dst: ["CRTC_X", "CRTC_Y", "CRTC_W", "CRTC_H"].map((k) => (p.has(k) ? Number(p.value(k).kind === "signedRange" ? BigInt.asIntN(64, p.raw(k)) : p.raw(k)) : 0)),
            };
        }),
        connectors: res.connectors.map((id) => {
            const p = dev.properties("connector", id);
            return { id, crtc: p.has("CRTC_ID") ? p.number("CRTC_ID") || undefined : undefined };
        }),
    };
}
// ---------------------------------------------------------------------------------------------
// Restore on every way out
const active = new Set();
let installed = false;
function restoreAll(reason) {
    for (const entry of [...active]) {
        active.delete(entry);
        if (entry.dev.closed)
            continue;
        try {
            restoreState(entry.dev, entry.state);
            log.info(`restored KMS state of ${entry.dev.path} (${reason})`);
        }
        catch (e) {
            log.error(`could not restore KMS state of ${entry.dev.path} (${reason}): ${e instanceof Error ? e.message : e}`);
        }
    }
}
const onExit = () => restoreAll("exit");
const onUncaught = (err) => restoreAll(`uncaught ${err instanceof Error ? err.name : "error"}`);
const onSignal = (signal) => {
    restoreAll(signal);
    uninstall();
    // re-raise so the default action (exit with the signal) happens, unless the app handles it itself
    if (process.listenerCount(signal) === 0)
        process.kill(process.pid, signal);
};
function install() {
    if (installed)
        return;
    installed = true;
    process.on("exit", onExit);
    process.on("uncaughtExceptionMonitor", onUncaught);
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    process.on("SIGHUP", onSignal);
}
function uninstall() {
    if (!installed)
        return;
    installed = false;
    process.off("exit", onExit);
    process.off("uncaughtExceptionMonitor", onUncaught);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
}
/**
 * Saves the state now and guarantees it is restored: on `restore()`, on device close, on process
 * exit, SIGINT/SIGTERM/SIGHUP and uncaught errors. Returns a handle whose restore() is idempotent.
 */
export function guardState(dev) {
    const entry = { dev, state: saveState(dev) };
    active.add(entry);
    install();
    const restore = () => {
        if (!active.delete(entry))
            return;
        if (active.size === 0)
            uninstall();
        restoreState(dev, entry.state);
    };
    dev.onClose(() => {
        try {
            restore();
        }
        catch (e) {
            log.error(`could not restore KMS state of ${dev.path}: ${e instanceof Error ? e.message : e}`);
        }
    });
    return { state: entry.state, restore };
}
//# sourceMappingURL=state.js.map