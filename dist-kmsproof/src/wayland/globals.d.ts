import type { Connection } from "./connection.js";
import type { Proxy, ProxyClass } from "./proxy.js";
import type { WlRegistry } from "./protocol/wayland.js";
export interface GlobalInfo {
    name: number;
    interface: string;
    version: number;
}
export declare class Globals {
    readonly connection: Connection;
    readonly list: Map<number, GlobalInfo>;
    readonly registry: WlRegistry;
    /** Called when the compositor removes a global (outputs unplugged, ...). */
    onRemove: ((g: GlobalInfo) => void) | undefined;
    private constructor();
    static fetch(connection: Connection): Promise<Globals>;
    find(iface: string): GlobalInfo | undefined;
    has(cls: ProxyClass): boolean;
    /**
     * Binds the first global of `cls`'s interface at min(advertised, ours, max). Throws when it is
     * missing or older than `min`; use `tryBind` for optional globals.
     */
    bind<T extends Proxy>(cls: ProxyClass<T>, opts?: {
        min?: number;
        max?: number;
    }): T;
    tryBind<T extends Proxy>(cls: ProxyClass<T>, opts?: {
        min?: number;
        max?: number;
    }): T | undefined;
}
