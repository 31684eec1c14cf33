// Base class of every generated protocol object. A proxy is one client-side object id bound to an
// interface at a version; requests go through its connection, events come back to its handlers.
import { ObjectRetiredError } from "./errors.js";
import type { InterfaceSpec, UntypedNewId, WireValue } from "./wire.js";

/** Event handler table: one function per event, called with the proxy as `this`. */
export type Handlers = { [event: string]: (...args: never[]) => void };

/** What a proxy needs from its connection (implemented by Connection). */
export interface ProxyHost {
  /**
   * Encodes and queues request opcode of proxy (sent at the next flush). Throws WaylandConnectionError when the connection
   * failed or closed, the proxy was destroyed, or the request needs a newer version than the proxy is bound at; WireError
   * when an argument does not fit its type. Descriptors in args are duplicated: the caller keeps its own.
   */
  sendRequest(proxy: Proxy, opcode: number, args: readonly WireValue[], created?: Proxy): void;
  /** Makes a proxy of cls with a fresh client object id at version, for a request that creates an object. Throws WaylandConnectionError when the connection is closed or ids are exhausted. */
  allocate<T extends Proxy>(cls: ProxyClass<T>, version: number): T;
}

/** A generated proxy class (WlSurface, XdgToplevel, ...): what Connection and wl_registry.bind need to create objects of it. */
export interface ProxyClass<T extends Proxy = Proxy> {
  /** Made by the connection only (an id it allocated, at the version negotiated); apps get proxies from requests. */
  new (host: ProxyHost, id: number, version: number): T;
  /** The interface's wire table: name, highest version this code knows, opcodes and argument types. */
  readonly spec: InterfaceSpec;
}

/** A descriptor received in an event: closed after the handler returns unless `take()` claims it. */
export class ReceivedFd {
  private taken = false;
  constructor(readonly fd: number) {}
  /** Claims ownership: the caller must close the descriptor. */
  take(): number {
    if (this.taken) throw new ObjectRetiredError(`received fd ${this.fd}`, "take", "already taken");
    this.taken = true;
    return this.fd;
  }
  /** True until take() is called; an unclaimed descriptor is closed once the event handler returns. */
  get owned(): boolean {
    return !this.taken;
  }
}

/**
 * One client-side Wayland object: an id bound to an interface at a version. Requests are methods of the
 * generated subclasses; events go to the handlers installed with listen() or on(). Created only by the
 * Connection (through requests or wl_registry.bind), never with `new`.
 */
export abstract class Proxy<E extends object = object> {
  /** The interface's wire table, set by each generated class (e.g. WlSurface.spec is wl_surface_interface). */
  static readonly spec: InterfaceSpec;
  /** Set by the connection when the client destroys it (zombie until delete_id) or it is deleted. */
  destroyed = false;
  /** Free slot for users (e.g. the window that owns a surface). */
  userData: unknown;
  /** @internal */ handlers: Partial<E> = {};

  /** @internal Made by the Connection (ProxyHost.allocate) only. */
  constructor(
    /** The connection this object belongs to. */
    readonly host: ProxyHost,
    /** The object id on the wire (client-allocated ids start at 2; 1 is wl_display). */
    readonly id: number,
    /** The interface version the object is bound at: requests and events newer than it are unavailable. */
    readonly version: number,
  ) {}

  /** The interface's wire table (same as the class's static spec): name, opcodes, argument types, enums. */
  get spec(): InterfaceSpec {
    return (this.constructor as ProxyClass).spec;
  }
  /** The Wayland interface name, e.g. "wl_surface". */
  get interfaceName(): string {
    return this.spec.name;
  }
  /** The object as protocol logs print it: interface#id, e.g. "wl_surface#3". */
  toString(): string {
    return `${this.spec.name}#${this.id}`;
  }

  /** Installs handlers for every event of the interface (the compiler checks none is missing). */
  listen(handlers: E): this {
    this.handlers = { ...handlers };
    return this;
  }
  /** Installs or replaces the handler of one event. */
  on<K extends keyof E>(event: K, handler: E[K]): this {
    this.handlers[event] = handler;
    return this;
  }

  /** @internal used by generated request methods. */
  protected request(opcode: number, args: readonly WireValue[]): void {
    this.host.sendRequest(this, opcode, args);
  }
  /** @internal a request creating a typed object, which inherits this proxy's version. */
  protected requestNew<T extends Proxy>(opcode: number, cls: ProxyClass<T>, args: readonly (WireValue | typeof NEW_ID)[]): T {
    const created = this.host.allocate(cls, this.version);
    this.host.sendRequest(
      this,
      opcode,
      args.map((a) => (a === NEW_ID ? created.id : a)),
      created,
    );
    return created;
  }
  /** @internal the untyped new_id form (wl_registry.bind): interface name and version on the wire. */
  protected requestNewUntyped<T extends Proxy>(
    opcode: number,
    cls: ProxyClass<T>,
    version: number,
    args: readonly (WireValue | typeof NEW_ID)[],
  ): T {
    if (!Number.isInteger(version) || version < 1 || version > cls.spec.version)
      throw new RangeError(`${cls.spec.name}: version ${version} outside 1..${cls.spec.version}`);
    const created = this.host.allocate(cls, version);
    const value: UntypedNewId = { interface: cls.spec.name, version, id: created.id };
    this.host.sendRequest(
      this,
      opcode,
      args.map((a) => (a === NEW_ID ? value : a)),
      created,
    );
    return created;
  }
}

/** Placeholder for the new_id slot in generated request argument lists. */
export const NEW_ID: unique symbol = Symbol("new_id");

/** Object argument to wire value. */
export function objectId(p: Proxy | null | undefined): number {
  return p ? p.id : 0;
}

const registry = new Map<string, ProxyClass>();
/** Generated files register their classes so events can create objects by interface name. */
export function registerInterfaces(...classes: ProxyClass[]): void {
  for (const c of classes) registry.set(c.spec.name, c);
}
/** The generated class registered for a Wayland interface name, or undefined when no generated protocol defines it. */
export function interfaceClass(name: string): ProxyClass | undefined {
  return registry.get(name);
}
