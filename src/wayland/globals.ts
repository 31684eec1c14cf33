// Registry globals: collected after one round trip, bound at the highest version both sides know.
import { logger } from "../util/log.js";
import type { Connection } from "./connection.js";
import type { Proxy, ProxyClass } from "./proxy.js";
import type { WlRegistry } from "./protocol/wayland.js";

const log = logger("wayland");

/** A global the compositor announced: its registry name (a number), interface name and the highest version it offers. */
export interface GlobalInfo {
  name: number;
  interface: string;
  version: number;
}

/** A global we cannot do without is missing (or too old): names the interface, the version and what it is for. */
export class MissingGlobalError extends Error {
  constructor(
    /** The interface, e.g. "wl_shm". */
    readonly interfaceName: string,
    /** The version the compositor offers (undefined: not offered at all) and the one we need. */
    readonly offered: number | undefined,
    readonly needed: number,
    /** What we need it for, when the caller said. */
    readonly purpose?: string,
  ) {
    super(
      offered === undefined
        ? `the compositor does not offer ${interfaceName}${purpose ? ` (needed ${purpose})` : ""}`
        : `the compositor offers ${interfaceName} v${offered}, we need v${needed}${purpose ? ` (${purpose})` : ""}`,
    );
    this.name = "MissingGlobalError";
  }
}

/** Options of Globals.bind / tryBind. */
export interface BindOptions {
  /** Oldest version we can use (default 1). */
  min?: number;
  /** Newest version we want (default: the newest our generated code knows). */
  max?: number;
  /** What the global is for, for the error when it is missing (e.g. "for shared-memory buffers"). */
  purpose?: string;
  /** tryBind only: what we do without it, logged (info) when it is missing, e.g. "frame times from frame callbacks". */
  fallback?: string;
}

/** The compositor's globals (wl_compositor, wl_shm, xdg_wm_base, ...), collected with one round trip by Globals.fetch and kept up to date as globals come and go. */
export class Globals {
  readonly list = new Map<number, GlobalInfo>();
  readonly registry: WlRegistry;
  /** Called when the compositor removes a global (outputs unplugged, ...). */
  onRemove: ((g: GlobalInfo) => void) | undefined;

  private constructor(readonly connection: Connection) {
    this.registry = connection.getRegistry();
    this.registry.listen({
      global: (name, iface, version) => {
        this.list.set(name, { name, interface: iface, version });
      },
      global_remove: (name) => {
        const g = this.list.get(name);
        this.list.delete(name);
        if (g) this.onRemove?.(g);
      },
    });
  }

  /** Gets the registry and waits one round trip, by which time every global has been announced. Rejects when the connection fails. */
  static async fetch(connection: Connection): Promise<Globals> {
    const g = new Globals(connection);
    await connection.roundtrip();
    return g;
  }

  /** The first global of an interface, by name (e.g. "wl_output"), or undefined when the compositor offers none. */
  find(iface: string): GlobalInfo | undefined {
    for (const g of this.list.values()) if (g.interface === iface) return g;
    return undefined;
  }

  /** Whether the compositor offers the interface of a generated proxy class, e.g. has(ZwpLinuxDmabufV1). */
  has(cls: ProxyClass): boolean {
    return this.find(cls.spec.name) !== undefined;
  }

  /**
   * Binds the first global of `cls`'s interface at min(advertised, ours, max). Throws a
   * MissingGlobalError when it is missing or older than `min`; use `tryBind` for optional globals.
   */
  bind<T extends Proxy>(cls: ProxyClass<T>, opts: BindOptions = {}): T {
    const g = this.find(cls.spec.name);
    if (!g) throw new MissingGlobalError(cls.spec.name, undefined, opts.min ?? 1, opts.purpose);
    const version = Math.min(g.version, cls.spec.version, opts.max ?? Infinity);
    if (version < (opts.min ?? 1)) throw new MissingGlobalError(cls.spec.name, g.version, opts.min ?? 1, opts.purpose);
    log.debug(`binding ${cls.spec.name} v${version} (compositor v${g.version}, ours v${cls.spec.version})`);
    return this.registry.bind(g.name, cls, version);
  }

  /** Like bind, but undefined instead of an error when the global is missing or older than opts.min (for optional features). */
  tryBind<T extends Proxy>(cls: ProxyClass<T>, opts: BindOptions = {}): T | undefined {
    const g = this.find(cls.spec.name);
    if (!g || g.version < (opts.min ?? 1)) {
      if (opts.fallback) log.info(`the compositor offers no ${cls.spec.name}${g ? ` v${opts.min ?? 1}` : ""}: ${opts.fallback}`);
      return undefined;
    }
    return this.bind(cls, opts);
  }
}
