// Which dmabufs we offer a compositor, and the requests that turn one into a wl_buffer. A compositor
// may list a format and modifier yet fail to import it (Weston's DRM backend on virtio-gpu does), so
// the presenter tries kinds in order with `create`, whose `failed` event is not fatal, and uses
// `create_immed` (a failure there may kill the connection) only for a kind known to import.
import type { DmabufExport } from "../vk/index.js";
import { DRM_FORMAT_ARGB8888, DRM_FORMAT_XRGB8888, formatName, MOD_INVALID, MOD_LINEAR, modifierName } from "../util/fourcc.js";
import type { Connection } from "../wayland/connection.js";
import { type DmabufFormats, trancheName } from "../wayland/dmabuf.js";
import { ZwpLinuxDmabufFeedbackV1TrancheFlags, type ZwpLinuxDmabufV1 } from "../wayland/protocol/linux-dmabuf-v1.js";
import type { WlBuffer } from "../wayland/protocol/wayland.js";

/** A dmabuf layout as sent: fourcc and modifier (MOD_INVALID: the compositor's implicit one; our image is then LINEAR). */
export interface BufferKind {
  readonly fourcc: number;
  readonly modifier: bigint;
}

/** `XR24/LINEAR`, for logs and errors. */
export function kindName(kind: BufferKind): string {
  return `${formatName(kind.fourcc)}/${modifierName(kind.modifier)}`;
}

/** The modifiers to create the image with for a kind ([]: a plain LINEAR image). */
export function imageModifiers(kind: BufferKind): bigint[] {
  return kind.modifier === MOD_INVALID || kind.modifier === MOD_LINEAR ? [] : [kind.modifier];
}

/** 8-bit images are BGRA8 in memory: XRGB8888 (opaque) first, ARGB8888 as the fallback (10-bit and FP16: colour-formats.ts). */
const FORMATS = [DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888];

/**
 * Kinds both sides can do, best first: per format LINEAR (every importer takes it, no modifier
 * chain), then the driver's other modifiers the compositor lists, then the implicit modifier.
 * `driverModifiers` empty means the driver has no modifier support: its exports are LINEAR.
 */
export function bufferKinds(offered: ReadonlyMap<number, ReadonlySet<bigint>>, driverModifiers: readonly bigint[], fourccs: readonly number[] = FORMATS): BufferKind[] {
  const ours = driverModifiers.length ? driverModifiers : [MOD_LINEAR];
  const linearFirst = [...ours.filter((m) => m === MOD_LINEAR), ...ours.filter((m) => m !== MOD_LINEAR && m !== MOD_INVALID)];
  const kinds: BufferKind[] = [];
  for (const fourcc of fourccs) {
    const listed = offered.get(fourcc);
    if (!listed) continue;
    for (const modifier of linearFirst) if (listed.has(modifier)) kinds.push({ fourcc, modifier });
    if (listed.has(MOD_INVALID) && ours.includes(MOD_LINEAR)) kinds.push({ fourcc, modifier: MOD_INVALID });
  }
  return kinds;
}

/** Why no kind could be offered at all, for the unavailable error. */
export function noKindReason(offered: ReadonlyMap<number, ReadonlySet<bigint>>, driverModifiers: readonly bigint[], fourccs: readonly number[] = FORMATS): string {
  const listed = fourccs.filter((f) => offered.has(f)).map((f) => `${formatName(f)}: ${[...offered.get(f)!].map(modifierName).join(", ")}`);
  if (!listed.length) return `the compositor imports none of ${fourccs.map(formatName).join(", ")} as dmabufs`;
  const ours = driverModifiers.length ? driverModifiers.map(modifierName).join(", ") : "LINEAR only";
  return `no modifier both the driver (${ours}) and the compositor (${listed.join("; ")}) support`;
}

interface BufferRequest {
  dmabuf: ZwpLinuxDmabufV1;
  exported: DmabufExport;
  kind: BufferKind;
  width: number;
  height: number;
}

function params({ dmabuf, exported, kind }: BufferRequest) {
  const plane = exported.planes[0]!;
  const p = dmabuf.create_params();
  const modifier = kind.modifier === MOD_INVALID ? MOD_INVALID : exported.modifier;
  p.add(exported.fd, 0, plane.offset, plane.stride, Number(modifier >> 32n), Number(modifier & 0xffffffffn));
  return p;
}

/** `create`: resolves with the wl_buffer on `created`, undefined on `failed` (the connection lives on). */
export function createBuffer(connection: Connection, request: BufferRequest): Promise<WlBuffer | undefined> {
  const p = params(request);
  const settled = connection.waitFor<WlBuffer | undefined>((resolve) =>
    p.listen({
      created: (buffer) => {
        p.destroy();
        resolve(buffer);
      },
      failed: () => {
        p.destroy();
        resolve(undefined);
      },
    }),
  );
  p.create(request.width, request.height, request.kind.fourcc, 0);
  return settled;
}

/** `create_immed`: the wl_buffer at once; a failure comes later as `onFailed` or as a protocol error. */
export function createBufferImmed(request: BufferRequest, onFailed: () => void): WlBuffer {
  const p = params(request);
  p.listen({ created: () => {}, failed: onFailed });
  const buffer = p.create_immed(request.width, request.height, request.kind.fourcc, 0);
  p.destroy();
  return buffer;
}

/**
 * What the chosen tranche is for: "scanout" (flagged scanout: buffers may go straight to a display
 * plane), "render" (the compositor samples them), "none" (no tranche fitted alone, or v3: formats only).
 */
export type TrancheRole = "scanout" | "render" | "none";

/** The tranche buffers are allocated from, and why. */
export interface TrancheChoice {
  /** Index in DmabufFormats.tranches (-1: none fitted, every format of every tranche was used). */
  index: number;
  role: TrancheRole;
  /** What was chosen, for stats: e.g. `#0 device 226:0, 2 formats (targets our device)`. */
  name: string;
  /** Kinds from that tranche, best first. */
  kinds: BufferKind[];
}

/**
 * Picks the tranche to allocate from: the compositor lists tranches best first; we take the first
 * that targets our device (PCI address of its dev_t = ours), else the first targeting its main
 * device, else the first at all, that has a kind we can make. Falls back to all formats together.
 */
export function chooseTranche(
  offered: DmabufFormats,
  driverModifiers: readonly bigint[],
  isOurDevice: (dev: bigint) => boolean,
  fourccs: readonly number[] = FORMATS,
): TrancheChoice {
  const ranked = offered.tranches.map((t, index) => ({ t, index }));
  const ours = ranked.filter(({ t }) => t.targetDevice !== undefined && isOurDevice(t.targetDevice));
  const main = ranked.filter(({ t }) => t.targetDevice !== undefined && t.targetDevice === offered.mainDevice);
  for (const [group, why] of [
    [ours, "targets our device"],
    [main, "targets the compositor's main device"],
    [ranked, "the compositor's first usable tranche"],
  ] as const) {
    for (const { t, index } of group) {
      const kinds = bufferKinds(t.formats, driverModifiers, fourccs);
      const role = offered.source === "v3 events" ? "none" : t.flags & ZwpLinuxDmabufFeedbackV1TrancheFlags.scanout ? "scanout" : "render";
      if (kinds.length) return { index, role, name: `${trancheName(t, index)} (${why})`, kinds };
    }
  }
  return { index: -1, role: "none", name: "all tranches together", kinds: bufferKinds(offered.formats, driverModifiers, fourccs) };
}
