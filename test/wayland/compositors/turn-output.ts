// Turns a compositor's output the way its own settings tools do, from a client of the test's own
// (on our wire code): KWin through kde_output_management_v2 (what kscreen-doctor speaks), wlroots
// compositors such as labwc through zwlr_output_manager_v1 (what wlr-randr speaks). Neither tool
// is in the forky root, and both compositors offer these globals only to trusted clients or to all
// (KWin: the bed runs it with KWIN_WAYLAND_NO_PERMISSION_CHECKS=1). Test-only; protocol code from
// protocol/gen.mjs.
import { Connection } from "../../../src/wayland/connection.js";
import { Globals } from "../../../src/wayland/globals.js";
import type { Proxy } from "../../../src/wayland/proxy.js";
import { KdeOutputDeviceModeV2, KdeOutputDeviceRegistryV2, KdeOutputDeviceV2 } from "./protocol/kde-output-device-v2.js";
import { KdeOutputManagementV2 } from "./protocol/kde-output-management-v2.js";
import { ZwlrOutputHeadV1, ZwlrOutputManagerV1, ZwlrOutputModeV1 } from "./protocol/wlr-output-management-unstable-v1.js";

/** wl_output.transform names as KWin and wlr-randr take them. */
const TRANSFORMS = { normal: 0, "90": 1, "180": 2, "270": 3 } as const;
export type OutputTurn = keyof typeof TRANSFORMS;

/** Takes every event of `proxy` (the state we do not need) so none is logged as unhandled; `onEvent` sees them. */
function quietly<P extends Proxy<object>>(proxy: P, onEvent?: (event: string, arg: unknown) => void): P {
  const handlers = Object.fromEntries(proxy.spec.events.map((e) => [e.name, (arg: unknown) => onEvent?.(e.name, arg)]));
  return proxy.listen(handlers as Parameters<P["listen"]>[0]);
}

function settled(what: string, ms: number, wire: (ok: () => void, fail: (why: string) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    wire(
      () => (clearTimeout(t), resolve()),
      (why) => (clearTimeout(t), reject(new Error(`${what}: ${why}`))),
    );
  });
}

/** Turns KWin's first output to `turn` (kde_output_configuration_v2.transform, then apply); resolves once KWin says applied. */
export async function turnKwinOutput(socket: string, turn: OutputTurn, ms = 10_000): Promise<void> {
  const connection = Connection.connect({ socket });
  try {
    const globals = await Globals.fetch(connection);
    // KWin 6.7 announces its devices through kde_output_device_registry_v2 (v21 on), older ones as globals
    const registry = globals.tryBind(KdeOutputDeviceRegistryV2);
    const devices: KdeOutputDeviceV2[] = [];
    // the device's state and modes are not needed: taken quietly
    const quiet = (d: KdeOutputDeviceV2) => quietly(d, (event, mode) => event === "mode" && quietly(mode as KdeOutputDeviceModeV2));
    registry?.listen({ output: (d) => void devices.push(quiet(d)), finished: () => {} });
    const global = registry ? undefined : globals.tryBind(KdeOutputDeviceV2);
    if (global) devices.push(quiet(global));
    const management = globals.tryBind(KdeOutputManagementV2);
    await connection.roundtrip(); // the devices and their state, before one is configured
    const device = devices[0];
    if (!device || !management) throw new Error("KWin offers no kde_output_device_v2 / kde_output_management_v2 to this client");
    const config = management.create_configuration();
    let reason = "";
    const done = settled(`KWin output transform ${turn}`, ms, (ok, fail) =>
      config.listen({ applied: ok, failed: () => fail(`KWin refused the configuration${reason ? `: ${reason}` : ""}`), failure_reason: (r) => (reason = r) }),
    );
    config.transform(device, TRANSFORMS[turn]);
    config.apply();
    await done;
    config.destroy();
    registry?.stop();
    await connection.roundtrip();
  } finally {
    await connection.close();
  }
}

/** Turns a wlroots compositor's head named `name` (all its heads when omitted) to `turn` through zwlr_output_manager_v1; resolves once it says succeeded. */
export async function turnWlrOutput(socket: string, turn: OutputTurn, name?: string, ms = 10_000): Promise<void> {
  const connection = Connection.connect({ socket });
  try {
    const globals = await Globals.fetch(connection);
    const manager = globals.tryBind(ZwlrOutputManagerV1);
    if (!manager) throw new Error("the compositor offers no zwlr_output_manager_v1");
    const heads: { head: ZwlrOutputHeadV1; name: string; enabled: boolean }[] = [];
    let serial: number | undefined;
    manager.listen({
      head: (head) => {
        const h = { head, name: "", enabled: false };
        heads.push(h);
        quietly(head, (event, arg) => {
          if (event === "name") h.name = arg as string;
          else if (event === "enabled") h.enabled = arg !== 0;
          else if (event === "mode") quietly(arg as ZwlrOutputModeV1);
        });
      },
      done: (s) => (serial = s),
      finished: () => {},
    });
    await connection.roundtrip();
    await connection.roundtrip();
    if (serial === undefined) throw new Error("zwlr_output_manager_v1 sent no done");
    const config = manager.create_configuration(serial);
    // every head must be named in a configuration: the one(s) to turn, the others as they are
    for (const h of heads) {
      if (!h.enabled) config.disable_head(h.head);
      else {
        const ch = config.enable_head(h.head);
        if (name === undefined || h.name === name) ch.set_transform(TRANSFORMS[turn]);
      }
    }
    if (name !== undefined && !heads.some((h) => h.name === name)) throw new Error(`no head named ${name} (heads: ${heads.map((h) => h.name).join(", ")})`);
    const done = settled(`output transform ${turn}`, ms, (ok, fail) =>
      config.listen({ succeeded: ok, failed: () => fail("the compositor refused the configuration"), cancelled: () => fail("cancelled (the outputs changed meanwhile)") }),
    );
    config.apply();
    await done;
    config.destroy();
    manager.stop();
    await connection.roundtrip();
  } finally {
    await connection.close();
  }
}
