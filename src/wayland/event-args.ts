// Turns an event's decoded wire values into what its handler receives: object ids become the
// proxies they name (checked against the expected interface), server new_ids become fresh proxies,
// descriptors become ReceivedFd. Anything the compositor could not have meant is a WireError.
import { interfaceClass, type Proxy, type ProxyHost, ReceivedFd } from "./proxy.js";
import { type ArgSpec, type MessageSpec, WireError, type WireValue } from "./wire.js";

/** Ids from here up are allocated by the compositor. */
export const SERVER_ID_BASE = 0xff000000;

export interface EventTarget {
  /** The object the event is for. */
  proxy: Proxy;
  spec: MessageSpec;
  /** `interface#id.event`, for messages. */
  where: string;
}

/**
 * Handler arguments for one event. New server objects are added to `objects`; received
 * descriptors are appended to `received` so the caller can close those the handler did not take.
 */
export function eventArgs(
  target: EventTarget,
  raw: readonly WireValue[],
  objects: Map<number, Proxy>,
  host: ProxyHost,
  received: ReceivedFd[],
): unknown[] {
  const { proxy, spec, where } = target;
  const created: number[] = [];
  try {
    return spec.args.map((a, i) => toHandlerArg(a, raw[i]!));
  } catch (e) {
    for (const id of created) objects.delete(id); // the event is rejected whole
    throw e;
  }

  function toHandlerArg(a: ArgSpec, v: WireValue): unknown {
    switch (a.type) {
      case "object": {
        if (v === 0) {
          if (!a.nullable) throw new WireError(`${where}: null for non-nullable object ${a.name}`);
          return null;
        }
        const found = objects.get(v as number);
        if (!found) throw new WireError(`${where}: argument ${a.name} names unknown object ${v}`);
        if (a.interface && found.spec.name !== a.interface) throw new WireError(`${where}: argument ${a.name} is ${found}, expected ${a.interface}`);
        return found.destroyed ? null : found;
      }
      case "new_id": {
        const id = v as number;
        if (id < SERVER_ID_BASE) throw new WireError(`${where}: server new_id ${id} is not in the server range`);
        // a server-made object we destroyed frees its id at once (no delete_id for server ids): the server may reuse it
        if (objects.get(id)?.destroyed === false) throw new WireError(`${where}: server new_id ${id} already in use`);
        const cls = a.interface ? interfaceClass(a.interface) : undefined;
        if (!cls) throw new WireError(`${where}: cannot create object of interface ${a.interface ?? "(untyped)"}`);
        const made = new cls(host, id, proxy.version);
        objects.set(id, made);
        created.push(id);
        return made;
      }
      case "fd": {
        const r = new ReceivedFd(v as number);
        received.push(r);
        return r;
      }
      default:
        return v;
    }
  }
}
