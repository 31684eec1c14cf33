import type { InterfaceSpec, WireValue } from "./wire.js";
/** Event handler table: one function per event, called with the proxy as `this`. */
export type Handlers = {
    [event: string]: (...args: never[]) => void;
};
/** What a proxy needs from its connection (implemented by Connection). */
export interface ProxyHost {
    sendRequest(proxy: Proxy, opcode: number, args: readonly WireValue[], created?: Proxy): void;
    allocate<T extends Proxy>(cls: ProxyClass<T>, version: number): T;
}
export interface ProxyClass<T extends Proxy = Proxy> {
    new (host: ProxyHost, id: number, version: number): T;
    readonly spec: InterfaceSpec;
}
/** A descriptor received in an event: closed after the handler returns unless `take()` claims it. */
export declare class ReceivedFd {
    readonly fd: number;
    private taken;
    constructor(fd: number);
    /** Claims ownership: the caller must close the descriptor. */
    take(): number;
    get owned(): boolean;
}
export declare abstract class Proxy<E extends object = object> {
    readonly host: ProxyHost;
    readonly id: number;
    readonly version: number;
    static readonly spec: InterfaceSpec;
    /** Set by the connection when the client destroys it (zombie until delete_id) or it is deleted. */
    destroyed: boolean;
    /** Free slot for users (e.g. the window that owns a surface). */
    userData: unknown;
    /** @internal */ handlers: Partial<E>;
    constructor(host: ProxyHost, id: number, version: number);
    get spec(): InterfaceSpec;
    get interfaceName(): string;
    toString(): string;
    /** Installs handlers for every event of the interface (the compiler checks none is missing). */
    listen(handlers: E): this;
    /** Installs or replaces the handler of one event. */
    on<K extends keyof E>(event: K, handler: E[K]): this;
    /** @internal used by generated request methods. */
    protected request(opcode: number, args: readonly WireValue[]): void;
    /** @internal a request creating a typed object, which inherits this proxy's version. */
    protected requestNew<T extends Proxy>(opcode: number, cls: ProxyClass<T>, args: readonly (WireValue | typeof NEW_ID)[]): T;
    /** @internal the untyped new_id form (wl_registry.bind): interface name and version on the wire. */
    protected requestNewUntyped<T extends Proxy>(opcode: number, cls: ProxyClass<T>, version: number, args: readonly (WireValue | typeof NEW_ID)[]): T;
}
/** Placeholder for the new_id slot in generated request argument lists. */
export declare const NEW_ID: unique symbol;
/** Object argument to wire value. */
export declare function objectId(p: Proxy | null | undefined): number;
/** Generated files register their classes so events can create objects by interface name. */
export declare function registerInterfaces(...classes: ProxyClass[]): void;
export declare function interfaceClass(name: string): ProxyClass | undefined;
