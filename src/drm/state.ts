// Saving the complete KMS state before we touch the display and putting it back on every way out:
// restore(), device close, normal exit, SIGINT/SIGTERM/SIGHUP and uncaught errors (the last ones
// through sys/exit-hooks). Restore writes only what differs from the saved state, atomically with
// ALLOW_MODESET, and falls back to legacy SETCRTC/SETPLANE.
import { onProcessExit } from "../sys/exit-hooks.js";
import { UseAfterCloseError } from "../util/errors.js";
import { logger } from "../util/log.js";
import { AtomicRequest } from "./atomic.js";
import type { DrmDevice, ObjectIds } from "./device.js";
import { DrmError } from "./error.js";
import {
  modeEquals, type BlobId, type ConnectorId, type CrtcId, type FbId, type Mode, type PlaneId,
} from "./types.js";

const log = logger("drm");

/**
 * Properties we never write back: legacy-only or kernel-managed. FB_DAMAGE_CLIPS is a per-commit hint,
 * not state; on virtio-gpu fbcon's cursor blink replaces its blob several times a second, so reading
 * it back races with the blob being freed (GETPROPBLOB: ENOENT).
 */
const SKIP = new Set(["DPMS", "link-status", "EDID", "PATH", "TILE", "WRITEBACK_PIXEL_FORMATS", "IN_FORMATS", "Content Protection", "FB_DAMAGE_CLIPS"]);

type SavedKind = "crtc" | "plane" | "connector";

/** The saved writable properties of one CRTC, plane or connector (blob contents copied, since blob ids may be gone by restore time). */
interface SavedObject {
  kind: SavedKind;
  id: ObjectIds[SavedKind];
  /** raw values of the writable properties */
  props: Map<string, bigint>;
  /** contents of blob-valued properties (ids die with their last reference, contents do not) */
  blobs: Map<string, Buffer | undefined>;
}

/** A snapshot of what a device's display shows (writable CRTC, plane and connector properties, with blob contents copied) made by saveState, for restoreState to put back. Opaque: pass it back, do not edit it. */
export interface KmsState {
  /** @internal saved CRTC properties */
  crtcs: SavedObject[];
  /** @internal saved plane properties */
  planes: SavedObject[];
  /** @internal saved connector properties */
  connectors: SavedObject[];
  /** @internal Legacy view, for the SETCRTC fallback. */
  legacy: { crtc: CrtcId; fb: FbId | undefined; mode: Mode | undefined; connectors: ConnectorId[]; x: number; y: number }[];
}

function saveObject<K extends SavedKind>(dev: DrmDevice, kind: K, id: ObjectIds[K]): SavedObject {
  const props = new Map<string, bigint>();
  const blobs = new Map<string, Buffer | undefined>();
  for (const [name, { info, raw }] of dev.properties(kind, id)) {
    if (info.immutable || SKIP.has(name)) continue;
    props.set(name, raw);
    if (info.kind === "blob") blobs.set(name, raw === 0n ? undefined : dev.blob(Number(raw) as BlobId));
  }
  return { kind, id, props, blobs };
}

/** Reads the device's current KMS state (every CRTC, plane and connector) so it can be restored after we change the display. Prefer guardState, which also restores on exit. */
export function saveState(dev: DrmDevice): KmsState {
  const res = dev.resources();
  const connectors = res.connectors.map((c) => dev.connector(c));
  const encoders = new Map(res.encoders.map((e) => [e, dev.encoder(e, res.crtcs)]));
  const legacy = res.crtcs.map((id) => {
    const c = dev.crtc(id, res.crtcs);
    const bound = connectors.filter((k) => k.encoder !== undefined && encoders.get(k.encoder)?.crtc === id).map((k) => k.id);
    return { crtc: id, fb: c.fb, mode: c.mode, connectors: bound, x: c.x, y: c.y };
  });
  if (!dev.atomic) return { crtcs: [], planes: [], connectors: [], legacy };
  return {
    crtcs: res.crtcs.map((id) => saveObject(dev, "crtc", id)),
    planes: dev.planes().map((id) => saveObject(dev, "plane", id)),
    connectors: res.connectors.map((id) => saveObject(dev, "connector", id)),
    legacy,
  };
}

/** Builds the atomic request that turns the current state back into `saved` (only what differs). */
function restoreRequest(dev: DrmDevice, saved: KmsState, created: BlobId[]): AtomicRequest {
  const req = new AtomicRequest(dev);
  const disabledPlanes = new Set<number>();
  for (const obj of [...saved.connectors, ...saved.crtcs, ...saved.planes]) {
    const now = dev.properties(obj.kind, obj.id);
    // COLOR_PIPELINE is visible only once the planeColorPipeline cap is on, so a state saved before that lacks
    // it: a pipeline turned on since is turned off (left on, it would keep converting for the next client)
    if (obj.kind === "plane" && !obj.props.has("COLOR_PIPELINE") && now.has("COLOR_PIPELINE") && now.raw("COLOR_PIPELINE") !== 0n)
      req.raw("plane", obj.id, "COLOR_PIPELINE", 0n);
    for (const [name, raw] of obj.props) {
      if (!now.has(name)) continue;
      const info = now.info(name);
      const cur = now.raw(name);
      if (info.kind === "blob") {
        const want = obj.blobs.get(name);
        const curData = cur === 0n ? undefined : dev.blob(Number(cur) as BlobId);
        const same = name === "MODE_ID" && want && curData && want.length >= 68 && curData.length >= 68
          ? modeEqualsBuf(want, curData)
          : want === undefined ? curData === undefined : curData !== undefined && want.equals(curData);
        if (same) continue;
        let id = 0n;
        if (want) {
          const b = dev.createBlob(want);
          created.push(b);
          id = BigInt(b);
        }
        req.raw(obj.kind, obj.id, name, id);
        continue;
      }
      if (cur === raw) continue;
      if (obj.kind === "plane" && name === "FB_ID" && raw !== 0n && !dev.framebufferExists(Number(raw) as FbId)) {
        // its owner is gone: the best we can do is leave the plane off
        log.warn(`restore: framebuffer ${raw} of plane ${obj.id} no longer exists; disabling the plane`);
        disabledPlanes.add(obj.id);
        req.raw("plane", obj.id, "FB_ID", 0n).raw("plane", obj.id, "CRTC_ID", 0n);
        continue;
      }
      if (obj.kind === "plane" && disabledPlanes.has(obj.id) && (name === "CRTC_ID" || name === "FB_ID")) continue;
      req.raw(obj.kind, obj.id, name, raw);
    }
  }
  return req;
}

function modeEqualsBuf(a: Buffer, b: Buffer): boolean {
  // compare timings, ignoring name/type (a recreated mode may differ there)
  return a.subarray(0, 32).equals(b.subarray(0, 32));
}

/** Puts the saved state back. Synchronous (it runs from process 'exit' and signal handlers). */
export function restoreState(dev: DrmDevice, saved: KmsState): void {
  if (dev.closed) throw new UseAfterCloseError(dev.path, "restore: device is already closed (closing it dropped our framebuffers)");
  if (dev.atomic && saved.crtcs.length > 0) {
    const created: BlobId[] = [];
    try {
      const req = restoreRequest(dev, saved, created);
      if (req.empty) {
        log.debug("restore: KMS state is unchanged");
        return;
      }
      log.debug(`restore: ${req.describe()}`);
      req.commit({ allowModeset: true });
      return;
    } catch (e) {
      log.warn(`restore: atomic restore failed (${e instanceof Error ? e.message : e}); trying legacy SETCRTC`);
    } finally {
      for (const b of created) {
        try {
          dev.destroyBlob(b); // the committed state holds its own reference
        } catch {
          /* already gone */
        }
      }
    }
  }
  const planes = saved.planes;
  for (const p of planes) {
    if (p.props.get("FB_ID") === 0n) {
      try {
        dev.disablePlaneLegacy(p.id as PlaneId);
      } catch {
        /* primary planes cannot be disabled this way; SETCRTC below handles them */
      }
    }
  }
  for (const c of saved.legacy) {
    const fb = c.fb !== undefined && dev.framebufferExists(c.fb) ? c.fb : undefined;
    if (c.mode && fb !== undefined) dev.setCrtcLegacy(c.crtc, fb, c.mode, c.connectors, c.x, c.y);
    else dev.setCrtcLegacy(c.crtc, undefined, undefined, []);
  }
}

/** A comparable summary of what the display shows: for tests and logs. */
export interface StateSummary {
  crtcs: { id: number; active: boolean; mode: string | undefined; fb: number | undefined }[];
  planes: { id: number; crtc: number | undefined; fb: number | undefined; src: number[]; dst: number[] }[];
  connectors: { id: number; crtc: number | undefined }[];
}

/** What the display shows now, in a form tests can compare with toEqual (modes as timings, fixed point as numbers). Throws when MODE_ID and the legacy CRTC view disagree. */
export function summarizeState(dev: DrmDevice): StateSummary {
  const res = dev.resources();
  const describe = (m: Mode | undefined) =>
    m && `${m.hdisplay}x${m.vdisplay} ${m.clock} ${m.htotal} ${m.vtotal} ${m.flags}`;
  return {
    crtcs: res.crtcs.map((id) => {
      const c = dev.crtc(id, res.crtcs);
      const p = dev.properties("crtc", id);
      const blob = p.has("MODE_ID") ? p.blob("MODE_ID") : undefined;
      const mode = blob !== undefined ? dev.modeFromBlob(blob) : undefined;
      if (mode && c.mode && !modeEquals(mode, c.mode)) throw new DrmError(`crtc ${id}: MODE_ID and GETCRTC disagree`);
      return { id, active: p.has("ACTIVE") ? p.number("ACTIVE") === 1 : c.mode !== undefined, mode: describe(mode ?? c.mode), fb: c.fb };
    }),
    planes: dev.planes().map((id) => {
      const p = dev.properties("plane", id);
      const n = (name: string) => (p.has(name) ? p.number(name) : 0);
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

/**
 * Saves the state now and guarantees it is restored: on `restore()`, on device close, on process
 * exit, SIGINT/SIGTERM/SIGHUP and uncaught errors. Returns a handle whose restore() is idempotent.
 */
export function guardState(dev: DrmDevice): {
  /** What was saved. */
  state: KmsState;
  /** Restores now (once; later calls, and the exit and close hooks, then do nothing). Throws if the device is already closed. */
  restore(): void;
} {
  const state = saveState(dev);
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    unregister();
    restoreState(dev, state);
  };
  const restoreLogged = (reason: string) => {
    if (restored || dev.closed) return;
    try {
      restore();
      log.info(`restored KMS state of ${dev.path} (${reason})`);
    } catch (e) {
      log.error(`could not restore KMS state of ${dev.path} (${reason}): ${e instanceof Error ? e.message : e}`);
    }
  };
  const unregister = onProcessExit(restoreLogged);
  dev.onClose(() => restoreLogged("device closed"));
  return { state, restore };
}
