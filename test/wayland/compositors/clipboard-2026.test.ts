// Copy and paste with the 2026 compositors (forky root): wl-clipboard's wl-copy / wl-paste, run
// inside the root against the compositor, on one side and our window (Presenter.window.clipboard,
// frame loop running) on the other; text and image/png both ways, the primary selection, a paste cut
// at the limit, a type nobody offers, and the frame intervals while 10 MB of text are pasted
// (figures: bench paste). Our window gets keyboard focus and key serials (compositors take a
// selection only with one) from keys of the test's own: Sway's virtual keyboard, KWin's fake input
// (org_kde_kwin_fake_input), Mutter's remote desktop session over D-Bus; KWin's and Mutter's headless
// seats have no keyboard until then, and Mutter's wl-copy needs one too (it has no data-control).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Presenter } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import type { SelectionEvent } from "../../../src/input/index.js";
import { encodePng } from "../../../src/util/png.js";
import { addLogSink } from "../../../src/util/log.js";
import { type ForkyCompositor, forkyBlock, forkyCompositorSkipReason, forkyRoot } from "../../helpers/forky-bed.js";
import { App } from "../../input/wayland-app.js";
import { Injector } from "../../input/wayland-inject.js";
import { KwinFakeInput } from "../../input/kwin-fake-input.js";
import { MutterRemoteKeys } from "../../input/mutter-remote-keys.js";

/** Keys into the compositor: Sway's virtual keyboard, or KWin's fake input. */
interface Keys {
  tap(...codes: number[]): Promise<void>;
  close(): Promise<void>;
}

const APP = "dev.scanout.clipboard";
const BEDS: [ForkyCompositor, string][] = [
  ["sway", "Sway 1.12"],
  ["kwin", "KWin 6.7"],
  ["mutter", "Mutter 50"],
];

function skipReason(kind: ForkyCompositor): string | undefined {
  const why = forkyCompositorSkipReason(kind);
  if (why) return why;
  if (kind === "mutter" && !existsSync(join(forkyRoot!, "usr/lib/python3/dist-packages/gi"))) return "the forky root lacks python3-gi, which the test's Mutter remote desktop client needs (Mutter's headless seat has no keyboard of its own)";
  if (!existsSync(join(forkyRoot!, "usr/bin/wl-copy"))) return "the forky root lacks wl-clipboard (wl-copy, wl-paste)";
  return undefined;
}

/** A small PNG (a gradient) as bytes. */
function samplePng(): Uint8Array {
  const w = 32;
  const h = 16;
  const px = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) px.set([(i * 5) & 255, (i * 11) & 255, 200, 255], i * 4);
  return encodePng({ width: w, height: h, data: px });
}

for (const [kind, name] of BEDS) {
  const skip = skipReason(kind);
  describe.skipIf(skip)(`clipboard on ${name}${skip ? ` (skipped: ${skip})` : ""}`, () => {
    const ctx = forkyBlock(kind);

    async function open(): Promise<{ out: Presenter; app: App; inj: Keys | undefined; close(): Promise<void> }> {
      const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [240, 160], socket: ctx.bed.path, title: "clipboard", appId: APP, mode: "shm" }, true);
      const app = new App(out);
      let inj: Keys | undefined;
      try {
        await app.until("a few frames", () => app.frames > 3, 15_000);
        if (kind === "sway") {
          const sway = await Injector.connect(ctx.bed.path);
          inj = sway;
          await sway.createKeyboard("us");
        } else if (kind === "kwin") {
          inj = await KwinFakeInput.connect(ctx.bed.path); // the seat gains a keyboard
        } else if (kind === "mutter") {
          const remote = await MutterRemoteKeys.start(ctx.bed);
          inj = remote;
          await remote.tap(42); // LEFTSHIFT: Mutter makes the session's keyboard on its first key
        }
        if (inj) await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"), 10_000);
      } catch (e) {
        app.stop();
        await inj?.close();
        await out.close();
        throw e;
      }
      return {
        out,
        app,
        inj,
        close: async () => {
          app.stop();
          await app.done.catch(() => {});
          await inj?.close();
          await out.close();
        },
      };
    }

    const selections = (app: App) => app.events.filter((e): e is SelectionEvent => e.type === "selection-changed" && e.selection === "clipboard");
    // wl-copy serves from a child that keeps its stdout and stderr: exec returns when wl-copy itself exits
    const copy = (args: string) => ctx.bed.exec(["sh", "-c", `wl-copy ${args}`], { timeoutMs: 20_000 });
    const paste = (args: string) => ctx.bed.exec(["sh", "-c", `wl-paste ${args}`], { timeoutMs: 20_000 });

    it("wl-copy text -> our paste; our copy -> wl-paste; image/png both ways; limit and unknown types", async () => {
      const { out, app, inj, close } = await open();
      const ctrlC = async () => {
        if (!inj) return;
        const keys = app.keys().length;
        await inj.tap(29, 46); // LEFTCTRL, C
        await app.until("Ctrl+C", () => app.keys().length > keys);
      };
      try {
        const clip = out.window!.clipboard;
        // text from wl-copy
        const before = selections(app).length;
        await copy("'Grüße from wl-copy'");
        await app.until("the selection event", () => selections(app).length > before, 10_000);
        expect(selections(app).at(-1)!.types).toContain("text/plain;charset=utf-8");
        expect(await clip.readText()).toBe("Grüße from wl-copy");
        // cut at the limit: on a whole character ("ß" is 2 bytes and would straddle byte 5), with a warning
        const logged: string[] = [];
        const removeSink = addLogSink((r) => logged.push(r.message));
        try {
          expect(await clip.readText({ limit: 5 })).toBe("Grü");
        } finally {
          removeSink();
        }
        expect(logged).toContainEqual(expect.stringMatching(/paste is larger than the limit of 5 bytes; cut there/));
        // a type nobody offers: empty
        expect((await clip.read("image/x-nothing")).data.length).toBe(0);

        // image/png from wl-copy
        const png = samplePng();
        writeFileSync(join(ctx.bed.runtimeDir, "in.png"), png);
        const n = selections(app).length;
        await copy("-t image/png < in.png");
        await app.until("the png selection", () => selections(app).length > n && selections(app).at(-1)!.types.includes("image/png"), 10_000);
        const got = await clip.read("image/png");
        expect(Buffer.compare(Buffer.from(got.data), Buffer.from(png))).toBe(0);
        // the same paste under a limit: cut, and said so
        const cut = await clip.read("image/png", { limit: 100 });
        expect(cut.truncated).toBe(true);
        expect(cut.data.length).toBe(100);

        if (!inj) {
          // KWin takes a selection only with the serial of input it sent us, and its headless seat has no keyboard
          console.warn(`${name}: our copy -> wl-paste not checked: no input device to give the window a serial`);
          return;
        }
        // our text -> wl-paste, set in answer to a key press (Ctrl+C) as an app would: wlroots takes
        // a selection only with an input serial newer than the current selection's
        await ctrlC();
        clip.writeText("€ from scanout");
        await out.window!.wayland.connection.roundtrip();
        expect((await paste("-n")).toString()).toBe("€ from scanout");
        expect((await paste("-l")).toString()).toContain("text/plain;charset=utf-8");
        // our png -> wl-paste -t image/png
        await ctrlC();
        clip.write({ "image/png": png });
        await out.window!.wayland.connection.roundtrip();
        const pasted = await paste("-t image/png");
        expect(Buffer.compare(pasted, Buffer.from(png))).toBe(0);
        expect(clip.owner).toBe(true);
        // the primary selection (select, middle-click): wl-copy --primary one way, ours the other
        const primary = out.window!.primarySelection!;
        expect(primary).toBeDefined();
        const p0 = app.events.filter((e) => e.type === "selection-changed" && e.selection === "primary").length;
        await copy("--primary 'selected text'");
        await app.until("the primary selection", () => app.events.filter((e) => e.type === "selection-changed" && e.selection === "primary").length > p0, 10_000);
        expect(await primary.readText()).toBe("selected text");
        await ctrlC();
        primary.writeText("our selection");
        await out.window!.wayland.connection.roundtrip();
        expect((await paste("--primary -n")).toString()).toBe("our selection");

        // wl-copy takes it back: our source is cancelled
        // (the cancel may come before the new selection's offer: wait for both, or the paste reads none)
        const s0 = selections(app).length;
        await copy("again");
        await app.until("our source cancelled and wl-copy's offer", () => !clip.owner && selections(app).length > s0, 10_000);
        expect(await clip.readText()).toBe("again");
      } finally {
        await close();
      }
      expect(ctx.gpu.validationMessages).toEqual([]);
    }, 180_000); // one 83 s run seen on a machine with a load of 16

    it("pasting 10 MB does not hold up frames", async () => {
      const { out, app, close } = await open();
      try {
        const clip = out.window!.clipboard;
        const line = "Grüße, 世界! ñandú 🙂 the quick brown fox\n";
        const text = line.repeat(Math.ceil((10 << 20) / Buffer.byteLength(line)));
        writeFileSync(join(ctx.bed.runtimeDir, "big.txt"), text);
        const n = selections(app).length;
        await copy("-t 'text/plain;charset=utf-8' < big.txt");
        await app.until("the big selection", () => selections(app).length > n, 15_000);
        // frame intervals before and during the paste
        const stamps: number[] = [];
        const f0 = app.frames;
        const t0 = performance.now();
        let stop = false;
        const watch = (async () => {
          let last = app.frames;
          while (performance.now() - t0 < 60_000) {
            await new Promise((r) => setImmediate(r));
            if (app.frames !== last) {
              last = app.frames;
              stamps.push(performance.now());
            }
            if (stop) break;
          }
        })();
        await new Promise((r) => setTimeout(r, 1000));
        const pasteStart = performance.now();
        const got = await clip.readText({ timeoutMs: 30_000 });
        const pasteEnd = performance.now();
        await new Promise((r) => setTimeout(r, 300));
        stop = true;
        await watch;
        expect(got.length).toBe(text.length);
        expect(got === text).toBe(true); // (toBe would print 10 MB on a failure)
        const gaps = stamps.slice(1).map((t, i) => [stamps[i]!, t - stamps[i]!] as const);
        const median = [...gaps.map((g) => g[1])].sort((a, b) => a - b)[Math.floor(gaps.length / 2)]!;
        const during = gaps.filter(([t]) => t >= pasteStart - 1 && t <= pasteEnd).map((g) => g[1]);
        const worst = Math.max(...during, 0);
        const calm = gaps.filter(([t]) => t < pasteStart - 1).map((g) => g[1]);
        console.log(
          `${name}: 10 MB paste in ${(pasteEnd - pasteStart).toFixed(0)} ms; ${app.frames - f0} frames; frame interval median ${median.toFixed(2)} ms, ` +
            `worst during the paste ${worst.toFixed(2)} ms (${during.length} frames), worst in the second before ${Math.max(...calm).toFixed(2)} ms`,
        );
        expect(during.length).toBeGreaterThan(0);
      } finally {
        await close();
      }
    }, 120_000);
  });
}
