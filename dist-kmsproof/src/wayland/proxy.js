/** A descriptor received in an event: closed after the handler returns unless `take()` claims it. */
export class ReceivedFd {
    fd;
    taken = false;
    constructor(fd) {
        this.fd = fd;
    }
    /** Claims ownership: the caller must close the descriptor. */
    take() {
        if (this.taken)
            throw new Error(`fd ${this.fd} was already taken`);
        this.taken = true;
        return this.fd;
    }
    get owned() {
        return !this.taken;
    }
}
export class Proxy {
    host;
    id;
    version;
    static spec;
    /** Set by the connection when the client destroys it (zombie until delete_id) or it is deleted. */
    destroyed = false;
    /** Free slot for users (e.g. the window that owns a surface). */
    userData;
    /** @internal */ handlers = {};
    constructor(host, id, version) {
        this.host = host;
        this.id = id;
        this.version = version;
    }
    get spec() {
        return this.constructor.spec;
    }
    get interfaceName() {
        return this.spec.name;
    }
    toString() {
        return `${this.spec.name}#${this.id}`;
    }
    /** Installs handlers for every event of the interface (the compiler checks none is missing). */
    listen(handlers) {
        this.handlers = { ...handlers };
        return this;
    }
    /** Installs or replaces the handler of one event. */
    on(event, handler) {
        this.handlers[event] = handler;
        return this;
    }
    /** @internal used by generated request methods. */
    request(opcode, args) {
        this.host.sendRequest(this, opcode, args);
    }
    /** @internal a request creating a typed object, which inherits this proxy's version. */
    requestNew(opcode, cls, args) {
        const created = this.host.allocate(cls, this.version);
        this.host.sendRequest(this, opcode, args.map((a) => (a === NEW_ID ? created.id : a)), created);
        return created;
    }
    /** @internal the untyped new_id form (wl_registry.bind): interface name and version on the wire. */
    requestNewUntyped(opcode, cls, version, args) {
        if (!Number.isInteger(version) || version < 1 || version > cls.spec.version)
            throw new RangeError(`${cls.spec.name}: version ${version} outside 1..${cls.spec.version}`);
        const created = this.host.allocate(cls, version);
        const value = { interface: cls.spec.name, version, id: created.id };
        this.host.sendRequest(this, opcode, args.map((a) => (a === NEW_ID ? value : a)), created);
        return created;
    }
}
/** Placeholder for the new_id slot in generated request argument lists. */
export const NEW_ID = Symbol("new_id");
/** Object argument to wire value. */
export function objectId(p) {
    return p ? p.id : 0;
}
const registry = new Map();
/** Generated files register their classes so events can create objects by interface name. */
export function registerInterfaces(...classes) {
    for (const c of classes)
        registry.set(c.spec.name, c);
}
export function interfaceClass(name) {
    return registry.get(name);
}
//# sourceMappingURL=proxy.js.map