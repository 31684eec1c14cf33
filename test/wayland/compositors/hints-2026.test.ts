// Window hints on the 2026 compositors (forky root). Sway 1.12: idle inhibit shows in its tree
// (inhibit_idle) and goes away again; an xdg-activation token (made by a second client of ours, as a
// launcher would) activates our window (Sway's default marks it urgent); the content type and toplevel tag go out without a
// protocol error. KWin 6.7: the icon from a PNG reaches xdg-toplevel-icon (and KWin's preferred
// sizes are read); Sway offers no toplevel icon, and setIcon says so (false).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Instance, Presenter } from "../../../src/index.js";
import { openWaylandPresenter } from "../../../src/present/wayland-open.js";
import { Connection } from "../../../src/wayland/connection.js";
import { Globals } from "../../../src/wayland/globals.js";
import { XdgActivationV1 } from "../../../src/wayland/protocol/xdg-activation-v1.js";
import { encodePng } from "../../../src/util/png.js";
import { swayWindows, type SwayNode } from "../../../scripts/testbed/sway.js";
import { forkyBlock, forkyCompositorSkipReason } from "../../helpers/forky-bed.js";
import { runScene } from "./scenes.js";

const icon = () => {
  const px = new Uint8Array(32 * 32 * 4);
  for (let i = 0; i < 32 * 32; i++) px.set([200, 40, (i * 3) & 255, i % 7 ? 255 : 128], i * 4);
  return encodePng({ width: 32, height: 32, data: px });
};

async function open(gpu: Instance, socket: string, appId: string): Promise<{ out: Presenter; trace: string[] }> {
  const out = await openWaylandPresenter(gpu.createDevice(), { size: [200, 150], socket, appId, title: appId, mode: "shm" }, true);
  const trace: string[] = [];
  out.window!.wayland.connection.trace = (l) => trace.push(l);
  await runScene(out, "triangle", 3); // mapped
  return { out, trace };
}

const swaySkip = forkyCompositorSkipReason("sway");
describe.skipIf(swaySkip)(`window hints on Sway 1.12${swaySkip ? ` (skipped: ${swaySkip})` : ""}`, () => {
  const ctx = forkyBlock("sway");
  const node = async (appId: string) => swayWindows(JSON.parse(await ctx.bed.swaymsg("", "get_tree")) as SwayNode).find((n) => n.app_id === appId) as (SwayNode & { inhibit_idle?: boolean; focused?: boolean; urgent?: boolean }) | undefined;

  it("idle inhibit shows in Sway's tree; an activation token activates the window; content type and tag are taken", async () => {
    const first = await open(ctx.gpu, ctx.bed.path, "dev.scanout.first");
    const second = await open(ctx.gpu, ctx.bed.path, "dev.scanout.second"); // newest: Sway focuses it
    try {
      const w = first.out.window!;
      expect(w.inhibitIdle(true)).toBe(true);
      await runScene(first.out, "triangle", 2);
      expect((await node("dev.scanout.first"))?.inhibit_idle).toBe(true);
      expect(w.idleInhibited).toBe(true);
      w.inhibitIdle(false);
      await runScene(first.out, "triangle", 2);
      expect((await node("dev.scanout.first"))?.inhibit_idle).toBe(false);

      expect(w.setContentType("game")).toBe(true);
      expect(w.setTag("main", "the main view")).toBe(true);
      expect(w.setIcon(icon())).toBe(false); // Sway shows no client icons
      await runScene(first.out, "triangle", 2);
      expect(first.trace.some((l) => /wp_content_type_v1#\d+\.set_content_type\(3\)/.test(l))).toBe(true);
      expect(first.trace.some((l) => /xdg_toplevel_tag_manager_v1#\d+\.set_toplevel_tag\(xdg_toplevel#\d+, "main"\)/.test(l))).toBe(true);

      // a launcher's token (another client of ours asks for one), handed over as XDG_ACTIVATION_TOKEN
      expect((await node("dev.scanout.second"))?.focused).toBe(true);
      const launcher = Connection.connect({ socket: ctx.bed.path });
      const token = await (async () => {
        const g = await Globals.fetch(launcher);
        const t = g.bind(XdgActivationV1).get_activation_token();
        const got = launcher.waitFor<string>((resolve) => t.listen({ done: resolve }));
        t.set_app_id("dev.scanout.first");
        t.commit();
        return got;
      })();
      await launcher.close();
      process.env.XDG_ACTIVATION_TOKEN = token;
      expect(w.activate()).toBe(true);
      expect(process.env.XDG_ACTIVATION_TOKEN).toBeUndefined(); // used once, as the protocol asks
      await runScene(first.out, "triangle", 2);
      // Sway's default focus_on_window_activation is "urgent": the window is marked, not raised
      const activated = await node("dev.scanout.first");
      expect(activated?.urgent || activated?.focused).toBe(true);
      expect(w.activate()).toBe(false); // no token left
    } finally {
      await first.out.close();
      await second.out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 90_000);
});

const kwinSkip = forkyCompositorSkipReason("kwin");
describe.skipIf(kwinSkip)(`window icon on KWin 6.7${kwinSkip ? ` (skipped: ${kwinSkip})` : ""}`, () => {
  const ctx = forkyBlock("kwin");

  it("sets the icon from a PNG through xdg-toplevel-icon, and back to the default", async () => {
    const { out, trace } = await open(ctx.gpu, ctx.bed.path, "dev.scanout.icon");
    try {
      const w = out.window!;
      expect(w.setIcon(icon())).toBe(true);
      await runScene(out, "triangle", 2);
      expect(trace.some((l) => /xdg_toplevel_icon_v1#\d+\.add_buffer\(wl_buffer#\d+, 1\)/.test(l))).toBe(true);
      expect(trace.some((l) => /xdg_toplevel_icon_manager_v1#\d+\.set_icon\(xdg_toplevel#\d+, xdg_toplevel_icon_v1#\d+\)/.test(l))).toBe(true);
      console.log(`KWin's preferred icon sizes: ${w.iconSizes.join(", ") || "none said"}`);
      expect(() => w.setIcon({ width: 3, height: 2, data: new Uint8Array(24) })).toThrow(/must be square, got 3x2/);
      expect(() => w.setIcon(Buffer.from("not a png"))).toThrow(/not a readable PNG/);
      expect(w.setIcon(undefined)).toBe(true);
      await runScene(out, "triangle", 2);
      expect(trace.some((l) => /set_icon\(xdg_toplevel#\d+, nil\)/.test(l))).toBe(true);
      expect(out.window!.wayland.connection.error).toBeUndefined();
    } finally {
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 90_000);

  it("marks the window modal through xdg-dialog, and not modal again (KWin's own view, read by a KWin script)", async () => {
    const appId = "dev.scanout.dialog";
    const { out } = await open(ctx.gpu, ctx.bed.path, appId);
    // a KWin script prints the window's modal flag into KWin's log ("js: TAG true|false")
    let n = 0;
    const modal = async (): Promise<boolean> => {
      // (tried again while KWin has not listed the window yet: the script then prints nothing)
      for (let attempt = 0; attempt < 5; attempt++) {
        const tag = `scanout-modal-${++n}`;
        writeFileSync(join(ctx.bed.runtimeDir, `${tag}.js`), `for (const w of workspace.windowList()) if (w.resourceClass === "${appId}") print("${tag} " + w.modal);\n`);
        const call = `busctl --user call org.kde.KWin /Scripting org.kde.kwin.Scripting`;
        await ctx.bed.exec(["sh", "-c", `${call} loadScript ss "$PWD/${tag}.js" ${tag} && ${call} start && ${call} unloadScript s ${tag}`]);
        for (let i = 0; i < 40; i++) {
          const m = new RegExp(`${tag} (true|false)`).exec(ctx.bed.log());
          if (m) return m[1] === "true";
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      throw new Error(`KWin's script printed nothing for ${appId}:\n${ctx.bed.log().slice(-1500)}`);
    };
    try {
      expect(await modal()).toBe(false);
      expect(out.window!.setModal(true)).toBe(true);
      await runScene(out, "triangle", 2);
      expect(await modal()).toBe(true);
      out.window!.setModal(false);
      await runScene(out, "triangle", 2);
      expect(await modal()).toBe(false);
    } finally {
      await out.close();
    }
  }, 90_000);
});
