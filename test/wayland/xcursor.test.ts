// XCursor files and themes: a file we write byte by byte (two sizes, an animation), the nearest
// size chosen, a theme found through XCURSOR_PATH with Inherits= followed, CSS and X11 names,
// malformed files rejected with the file and the fault named; and the system's Adwaita where
// installed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { XcursorError, XcursorTheme, parseXcursor, xcursorNames } from "../../src/wayland/xcursor.js";

/** An XCursor file: images of [nominal size, width, height, hotX, hotY, fill byte]. */
function xcursor(images: [number, number, number, number, number, number][]): Buffer {
  const header = 16;
  const toc = images.length * 12;
  const chunks = images.map(([size, w, h, hx, hy, fill]) => {
    const c = Buffer.alloc(36 + w * h * 4, fill);
    [36, 0xfffd0002, size, 1, w, h, hx, hy, 50].forEach((v, i) => c.writeUInt32LE(v, i * 4));
    return c;
  });
  const head = Buffer.alloc(header + toc);
  head.write("Xcur", 0, "latin1");
  [header, 0x10000, images.length].forEach((v, i) => head.writeUInt32LE(v, 4 + i * 4));
  let pos = header + toc;
  images.forEach(([size], i) => {
    head.writeUInt32LE(0xfffd0002, header + i * 12);
    head.writeUInt32LE(size, header + i * 12 + 4);
    head.writeUInt32LE(pos, header + i * 12 + 8);
    pos += chunks[i]!.length;
  });
  return Buffer.concat([head, ...chunks]);
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("XCursor", () => {
  it("parses a file and picks the nearest nominal size (every frame of it)", () => {
    const file = xcursor([[24, 24, 24, 4, 5, 1], [32, 32, 32, 6, 7, 2], [32, 32, 32, 6, 7, 3]]);
    const small = parseXcursor(file, 22);
    expect(small).toHaveLength(1);
    expect(small[0]).toMatchObject({ width: 24, height: 24, hotX: 4, hotY: 5, nominalSize: 24 });
    expect(small[0]!.pixels.length).toBe(24 * 24 * 4);
    const big = parseXcursor(file, 48);
    expect(big.map((i) => i.pixels[0])).toEqual([2, 3]); // the animation's two frames
  });

  it("rejects malformed files, naming the file and the fault", () => {
    expect(() => parseXcursor(Buffer.from("PNG not a cursor"), 24, "x.cur")).toThrow(/x\.cur: not an XCursor file/);
    const file = xcursor([[24, 24, 24, 4, 5, 1]]);
    expect(() => parseXcursor(file.subarray(0, 100), 24, "cut")).toThrow(XcursorError);
    expect(() => parseXcursor(file.subarray(0, 100), 24, "cut")).toThrow(/cut: image at 28 \(24x24\) runs past the end/);
    const badHot = Buffer.from(file);
    badHot.writeUInt32LE(99, 28 + 24);
    expect(() => parseXcursor(badHot, 24, "hot")).toThrow(/hotspot 99,5 outside the 24x24 image/);
  });

  it("finds cursors through XCURSOR_PATH, XCURSOR_SIZE and Inherits=", () => {
    const root = mkdtempSync(join(tmpdir(), "xcursor-"));
    dirs.push(root);
    mkdirSync(join(root, "base/cursors"), { recursive: true });
    mkdirSync(join(root, "mine/cursors"), { recursive: true });
    writeFileSync(join(root, "mine/index.theme"), "[Icon Theme]\nName=Mine\nInherits=base\n");
    writeFileSync(join(root, "base/cursors/left_ptr"), xcursor([[24, 24, 24, 1, 1, 9], [48, 48, 48, 2, 2, 8]]));
    writeFileSync(join(root, "mine/cursors/text"), xcursor([[48, 48, 48, 20, 24, 7]]));
    const theme = XcursorTheme.fromEnvironment({ XCURSOR_PATH: root, XCURSOR_THEME: "mine", XCURSOR_SIZE: "48" });
    expect(theme).toMatchObject({ name: "mine", size: 48 });
    expect(theme.load(xcursorNames("text"))).toMatchObject({ width: 48, hotX: 20 }); // its own
    expect(theme.load(xcursorNames("default"))).toMatchObject({ width: 48, hotX: 2, nominalSize: 48 }); // inherited, X11 name
    expect(theme.load(xcursorNames("ew_resize"))).toMatchObject({ width: 48 }); // missing: the default arrow
    expect(XcursorTheme.fromEnvironment({ XCURSOR_PATH: root, XCURSOR_THEME: "nothing" }).load(["left_ptr"])).toBeUndefined();
    expect(xcursorNames("ew_resize").slice(0, 2)).toEqual(["ew-resize", "sb_h_double_arrow"]);
  });

  it.skipIf(!existsSync("/usr/share/icons/Adwaita/cursors/left_ptr"))("reads the system's Adwaita left_ptr", () => {
    const imgs = parseXcursor(readFileSync("/usr/share/icons/Adwaita/cursors/left_ptr"), 24, "Adwaita left_ptr");
    expect(imgs[0]).toMatchObject({ width: 24, height: 24, nominalSize: 24 });
    expect(imgs[0]!.pixels.some((b) => b !== 0)).toBe(true);
  });
});
