// One line per message for the debug trace (WAYLAND_DEBUG=1), in libwayland's style:
// `-> wl_surface#7.attach(wl_buffer#12, 0, 0)`.
import type { Proxy } from "./proxy.js";
import type { ArgSpec, UntypedNewId, WireValue } from "./wire.js";

function formatArg(spec: ArgSpec, v: WireValue, lookup: (id: number) => Proxy | undefined): string {
  switch (spec.type) {
    case "object": {
      if (!v) return "nil";
      return lookup(v as number)?.toString() ?? `[unknown]#${v}`;
    }
    case "new_id": {
      if (spec.interface) return `new id ${spec.interface}#${v}`;
      const u = v as UntypedNewId;
      return `new id ${u.interface}#${u.id} v${u.version}`;
    }
    case "string":
      return v === null ? "nil" : JSON.stringify(v);
    case "array":
      return `array[${(v as Uint8Array).length}]`;
    case "fd":
      return `fd ${v}`;
    default:
      return String(v);
  }
}

/** `direction where(args...)`, with objects named by interface and id. */
export function traceLine(
  direction: "->" | "<-",
  where: string,
  specs: readonly ArgSpec[],
  values: readonly WireValue[],
  lookup: (id: number) => Proxy | undefined,
): string {
  return `${direction} ${where}(${specs.map((a, i) => formatArg(a, values[i]!, lookup)).join(", ")})`;
}
