// The user's cursor theme, for compositors without wp_cursor_shape_v1: XCursor files read by us
// (format: "Xcur" header, a table of contents, image chunks of premultiplied ARGB32 pixels with a
// nominal size and a hotspot), found the way libXcursor looks for them: $XCURSOR_THEME (default
// "default") and $XCURSOR_SIZE (default 24), in $XCURSOR_PATH or ~/.local/share/icons, ~/.icons,
// /usr/share/icons, /usr/share/pixmaps, following each theme's index.theme "Inherits=".
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** One cursor image: premultiplied ARGB32 pixels (little-endian B, G, R, A bytes), its hotspot. */
export interface XcursorImage {
  readonly width: number;
  readonly height: number;
  readonly hotX: number;
  readonly hotY: number;
  /** The size the theme drew it for (XCURSOR_SIZE picks the nearest). */
  readonly nominalSize: number;
  readonly pixels: Uint8Array;
}

const MAGIC = 0x72756358; // "Xcur" read as a little-endian word
const IMAGE_TYPE = 0xfffd0002;
const MAX_DIMENSION = 0x7fff; // libXcursor's limit on a side

/** Thrown for a file that is not a well-formed XCursor file; names the file and what is wrong. */
export class XcursorError extends Error {
  override name = "XcursorError";
}

/**
 * The images of an XCursor file nearest `size` (all frames of an animation at that size, in file
 * order). Throws XcursorError naming `what` for a malformed file.
 */
export function parseXcursor(bytes: Uint8Array, size: number, what = "xcursor file"): XcursorImage[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number, field: string): number => {
    if (off + 4 > bytes.length) throw new XcursorError(`${what}: truncated at ${field} (offset ${off}, file ${bytes.length} bytes)`);
    return dv.getUint32(off, true);
  };
  if (bytes.length < 16 || u32(0, "magic") !== MAGIC) throw new XcursorError(`${what}: not an XCursor file (no "Xcur" header)`);
  const headerSize = u32(4, "header size");
  const ntoc = u32(12, "table of contents count");
  if (headerSize < 16 || ntoc > 0x10000) throw new XcursorError(`${what}: bad header (size ${headerSize}, ${ntoc} entries)`);
  const toc: { subtype: number; position: number }[] = [];
  for (let i = 0; i < ntoc; i++) {
    const at = headerSize + i * 12;
    if (u32(at, `toc entry ${i} type`) === IMAGE_TYPE) toc.push({ subtype: u32(at + 4, `toc entry ${i} size`), position: u32(at + 8, `toc entry ${i} position`) });
  }
  if (!toc.length) throw new XcursorError(`${what}: no images`);
  // the nominal size nearest the one asked for (ties: the first in the file)
  let best = toc[0]!.subtype;
  for (const e of toc) if (Math.abs(e.subtype - size) < Math.abs(best - size)) best = e.subtype;
  const images: XcursorImage[] = [];
  for (const e of toc) {
    if (e.subtype !== best) continue;
    const p = e.position;
    const chunkHeader = u32(p, "image header size");
    if (u32(p + 4, "image type") !== IMAGE_TYPE) throw new XcursorError(`${what}: the table points at ${p}, which is not an image`);
    const width = u32(p + 16, "image width");
    const height = u32(p + 20, "image height");
    const hotX = u32(p + 24, "image hotspot x");
    const hotY = u32(p + 28, "image hotspot y");
    if (width === 0 || height === 0 || width > MAX_DIMENSION || height > MAX_DIMENSION) throw new XcursorError(`${what}: image of ${width}x${height} at ${p}`);
    if (hotX > width || hotY > height) throw new XcursorError(`${what}: hotspot ${hotX},${hotY} outside the ${width}x${height} image at ${p}`);
    const start = p + chunkHeader;
    const end = start + width * height * 4;
    if (end > bytes.length) throw new XcursorError(`${what}: image at ${p} (${width}x${height}) runs past the end of the file`);
    images.push({ width, height, hotX, hotY, nominalSize: e.subtype, pixels: bytes.slice(start, end) });
  }
  return images;
}

/** Where themes are searched: $XCURSOR_PATH (colon-separated) or libXcursor's default folders. */
export function cursorSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.XCURSOR_PATH) return env.XCURSOR_PATH.split(":").filter(Boolean).map((d) => d.replace(/^~(?=\/|$)/, homedir()));
  const home = env.HOME ?? homedir();
  const data = env.XDG_DATA_HOME ?? join(home, ".local/share");
  return [join(data, "icons"), join(home, ".icons"), "/usr/share/icons", "/usr/share/pixmaps"];
}

/** The themes a theme inherits (its index.theme's "Inherits=" line, in any search folder). */
function inheritsOf(theme: string, path: readonly string[]): string[] {
  for (const dir of path) {
    let text: string;
    try {
      text = readFileSync(join(dir, theme, "index.theme"), "utf8");
    } catch {
      continue;
    }
    const m = /^\s*Inherits\s*=\s*(.+)$/m.exec(text);
    if (m) return m[1]!.split(/[,;]/).map((t) => t.trim()).filter(Boolean);
  }
  return [];
}

/** A cursor theme: finds a cursor by name in the theme and the themes it inherits (depth first, each once). */
export class XcursorTheme {
  private readonly cache = new Map<string, XcursorImage | null>();

  constructor(
    readonly name: string,
    readonly size: number,
    private readonly path: readonly string[] = cursorSearchPath(),
  ) {}

  /** The theme the environment names (XCURSOR_THEME, XCURSOR_SIZE), or the defaults. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): XcursorTheme {
    const size = Number(env.XCURSOR_SIZE);
    return new XcursorTheme(env.XCURSOR_THEME || "default", Number.isInteger(size) && size > 0 && size <= 512 ? size : 24, cursorSearchPath(env));
  }

  /** The first image of the first of `names` any theme in the chain has, or undefined. */
  load(names: readonly string[]): XcursorImage | undefined {
    for (const name of names) {
      if (!this.cache.has(name)) this.cache.set(name, this.find(name) ?? null);
      const img = this.cache.get(name);
      if (img) return img;
    }
    return undefined;
  }

  private find(name: string): XcursorImage | undefined {
    const seen = new Set<string>();
    const walk = (theme: string, depth: number): XcursorImage | undefined => {
      if (seen.has(theme) || depth > 8) return undefined;
      seen.add(theme);
      for (const dir of this.path) {
        const file = join(dir, theme, "cursors", name);
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          continue;
        }
        try {
          return parseXcursor(bytes, this.size, file)[0];
        } catch {
          continue; // a broken file: the next folder or theme may have a good one
        }
      }
      for (const parent of inheritsOf(theme, this.path)) {
        const img = walk(parent, depth + 1);
        if (img) return img;
      }
      return undefined;
    };
    return walk(this.name, 0);
  }
}

/**
 * XCursor names for a cursor-shape name, best first: the CSS name themes use now, then the
 * older X11 names (most themes link one to the other).
 */
export function xcursorNames(shape: string): string[] {
  const css = shape.replace(/_/g, "-");
  const legacy: Record<string, string[]> = {
    default: ["left_ptr", "arrow"],
    pointer: ["hand2", "hand1"],
    text: ["xterm"],
    grab: ["openhand", "hand1"],
    grabbing: ["closedhand", "fleur"],
    move: ["fleur"],
    crosshair: ["cross"],
    wait: ["watch"],
    "not-allowed": ["crossed_circle"],
    "ew-resize": ["sb_h_double_arrow", "h_double_arrow"],
    "ns-resize": ["sb_v_double_arrow", "v_double_arrow"],
    "nwse-resize": ["bd_double_arrow", "size_fdiag"],
    "nesw-resize": ["fd_double_arrow", "size_bdiag"],
    "n-resize": ["top_side"],
    "s-resize": ["bottom_side"],
    "e-resize": ["right_side"],
    "w-resize": ["left_side"],
    "ne-resize": ["top_right_corner"],
    "nw-resize": ["top_left_corner"],
    "se-resize": ["bottom_right_corner"],
    "sw-resize": ["bottom_left_corner"],
  };
  return [css, ...(legacy[css] ?? []), ...(css === "default" ? [] : ["default", "left_ptr"])];
}
