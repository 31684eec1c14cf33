// Text from an input method on Sway 1.12 (forky root): a small zwp_input_method_v2 client of the
// test's own (our wire code, protocol facts from wlroots' XML) plays the input method; our window
// enables zwp_text_input_v3. Asserted both ways: what the input method is told (activate, the
// surrounding text, the content purpose, deactivate) and what the app reads (text-preedit,
// text-delete-surrounding, text-commit in that order, the pre-edit cleared), plus the cursor
// rectangle we send.
import { describe, expect, it } from "vitest";
import type { InputEvent } from "../../src/input/index.js";
import { openWaylandPresenter } from "../../src/present/wayland-open.js";
import { Connection } from "../../src/wayland/connection.js";
import { Globals } from "../../src/wayland/globals.js";
import { WlSeat } from "../../src/wayland/protocol/wayland.js";
import { ZwpTextInputV3ContentPurpose } from "../../src/wayland/protocol/text-input-unstable-v3.js";
import { forkyBlock, forkyCompositorSkipReason } from "../helpers/forky-bed.js";
import { ZwpInputMethodManagerV2, type ZwpInputMethodV2 } from "./protocol/input-method-unstable-v2.js";
import { App } from "./wayland-app.js";
import { Injector } from "./wayland-inject.js";

const APP = "dev.scanout.textinput";
const skip = forkyCompositorSkipReason("sway");

/** The input method: what it was told, and a way to send text. */
class InputMethod {
  readonly told: string[] = [];
  private serial = 0;
  private constructor(
    readonly connection: Connection,
    readonly im: ZwpInputMethodV2,
  ) {
    im.listen({
      activate: () => this.told.push("activate"),
      deactivate: () => this.told.push("deactivate"),
      surrounding_text: (text, cursor, anchor) => this.told.push(`surrounding ${JSON.stringify(text)} ${cursor} ${anchor}`),
      text_change_cause: (cause) => this.told.push(`cause ${cause}`),
      content_type: (hint, purpose) => this.told.push(`content ${hint} ${purpose}`),
      done: () => {
        this.serial++;
        this.told.push("done");
      },
      unavailable: () => this.told.push("unavailable"),
    });
  }

  static async connect(socket: string): Promise<InputMethod> {
    const connection = Connection.connect({ socket });
    const globals = await Globals.fetch(connection);
    const seat = globals.bind(WlSeat, { max: 1 });
    seat.listen({ capabilities: () => {}, name: () => {} });
    const im = globals.bind(ZwpInputMethodManagerV2).get_input_method(seat);
    const m = new InputMethod(connection, im);
    await connection.roundtrip();
    return m;
  }

  /** Sends one atomic change: optional deletion, committed text and pre-edit, then commit(serial). */
  async send(change: { del?: [number, number]; commit?: string; preedit?: [string, number, number] }): Promise<void> {
    if (change.del) this.im.delete_surrounding_text(...change.del);
    if (change.commit !== undefined) this.im.commit_string(change.commit);
    if (change.preedit) this.im.set_preedit_string(...change.preedit);
    this.im.commit(this.serial);
    await this.connection.roundtrip();
  }

  async close(): Promise<void> {
    this.im.destroy();
    await this.connection.roundtrip().catch(() => {});
    await this.connection.close();
  }
}

describe.skipIf(skip)(`text input on Sway 1.12${skip ? ` (skipped: ${skip})` : ""}`, () => {
  const ctx = forkyBlock("sway");

  it("pre-edit, delete-surrounding and commit from an input method reach the app in order", async () => {
    const out = await openWaylandPresenter(ctx.gpu.createDevice(), { size: [320, 240], socket: ctx.bed.path, title: "ime", appId: APP, mode: "shm" }, true);
    const app = new App(out);
    const trace: string[] = [];
    out.window!.wayland.connection.trace = (l) => trace.push(l);
    const inj = await Injector.connect(ctx.bed.path);
    const ime = await InputMethod.connect(ctx.bed.path);
    const texts = (n: number) => app.events.slice(n).filter((e) => e.type.startsWith("text-"));
    try {
      await app.until("a few frames", () => app.frames > 3, 15_000);
      await inj.createKeyboard("us");
      await app.until("keyboard focus", () => app.events.some((e) => e.type === "keyboard-enter"), 10_000);
      const ti = out.window!.textInput;
      expect(ti.available).toBe(true);
      ti.setCursorRect({ x: 10, y: 20, width: 2, height: 16 });
      ti.setSurrounding("hello", 5);
      ti.enable("terminal");
      await out.window!.wayland.connection.roundtrip();
      await waitFor(() => ime.told.includes("done"), "the input method's activation");
      expect(ime.told).toContain("activate");
      expect(ime.told).toContain('surrounding "hello" 5 5');
      expect(ime.told).toContain(`content 0 ${ZwpTextInputV3ContentPurpose.terminal}`);
      expect(trace.some((l) => /zwp_text_input_v3#\d+\.set_cursor_rectangle\(10, 20, 2, 16\)/.test(l))).toBe(true);

      const n = app.events.length;
      await ime.send({ preedit: ["ni", 2, 2] });
      await app.until("the pre-edit", () => texts(n).length >= 1, 10_000);
      expect(texts(n)).toMatchObject([{ type: "text-preedit", text: "ni", cursorBegin: 2, cursorEnd: 2 }]);
      const m = app.events.length;
      await ime.send({ del: [1, 0], commit: "你好" });
      await app.until("the commit", () => texts(m).length >= 3, 10_000);
      const got: InputEvent[] = texts(m);
      expect(got).toMatchObject([
        { type: "text-delete-surrounding", before: 1, after: 0 },
        { type: "text-commit", text: "你好" },
        { type: "text-preedit", text: "" }, // the pre-edit ends with the commit
      ]);

      ti.disable();
      await out.window!.wayland.connection.roundtrip();
      await waitFor(() => ime.told.includes("deactivate"), "deactivate");
    } finally {
      app.stop();
      await app.done.catch(() => {});
      await ime.close();
      await inj.close();
      await out.close();
    }
    expect(ctx.gpu.validationMessages).toEqual([]);
  }, 90_000);
});

async function waitFor(test: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
