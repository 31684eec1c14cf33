// Registry globals: collected after one round trip, bound at the highest version both sides know.
import { logger } from "../util/log.js";
const log = logger("wayland");
export class Globals {
    connection;
    list = new Map();
    registry;
    /** Called when the compositor removes a global (outputs unplugged, ...). */
    onRemove;
    constructor(connection) {
        this.connection = connection;
        this.registry = connection.getRegistry();
        this.registry.listen({
            global: (name, iface, version) => {
                this.list.set(name, { name, interface: iface, version });
            },
            global_remove: (name) => {
                const g = this.list.get(name);
                this.list.delete(name);
                if (g)
                    this.onRemove?.(g);
            },
        });
    }
    static async fetch(connection) {
        const g = new Globals(connection);
        await connection.roundtrip();
        return g;
    }
    find(iface) {
        for (const g of this.list.values())
            if (g.interface === iface)
                return g;
        return undefined;
    }
    has(cls) {
        return this.find(cls.spec.name) !== undefined;
    }
    /**
     * Binds the first global of `cls`'s interface at min(advertised, ours, max). Throws when it is
     * missing or older than `min`; use `tryBind` for optional globals.
     */
    bind(cls, opts = {}) {
        const g = this.find(cls.spec.name);
        if (!g)
            throw new Error(`the compositor does not offer ${cls.spec.name}`);
        const version = Math.min(g.version, cls.spec.version, opts.max ?? Infinity);
        if (version < (opts.min ?? 1))
            throw new Error(`the compositor offers ${cls.spec.name} v${g.version}, we need v${opts.min}`);
        log.debug(`binding ${cls.spec.name} v${version} (compositor v${g.version}, ours v${cls.spec.version})`);
        return this.registry.bind(g.name, cls, version);
    }
    tryBind(cls, opts = {}) {
        const g = this.find(cls.spec.name);
        if (!g || g.version < (opts.min ?? 1))
            return undefined;
        return this.bind(cls, opts);
    }
}
//# sourceMappingURL=globals.js.map