// Scoped lifetimes: a Scope owns what is created in it and destroys it in reverse creation order.
export class Scope {
    name;
    owned = [];
    closed = false;
    constructor(name = "scope") {
        this.name = name;
    }
    /** Takes ownership of a resource; it is destroyed when the scope closes. Returns it for chaining. */
    add(resource) {
        this.defer(() => resource.destroy());
        return resource;
    }
    /** Runs fn when the scope closes (after everything added later has been destroyed). */
    defer(fn) {
        if (this.closed)
            throw new Error(`${this.name}: already closed`);
        this.owned.push(fn);
    }
    get isClosed() {
        return this.closed;
    }
    /** Destroys everything in reverse order. Every destructor runs even if one throws; the first error is rethrown. */
    close() {
        if (this.closed)
            return;
        this.closed = true;
        let first;
        for (let i = this.owned.length - 1; i >= 0; i--) {
            try {
                this.owned[i]();
            }
            catch (error) {
                first ??= error;
            }
        }
        this.owned.length = 0;
        if (first !== undefined)
            throw first;
    }
    [Symbol.dispose]() {
        this.close();
    }
    async [Symbol.asyncDispose]() {
        this.close();
    }
}
//# sourceMappingURL=scope.js.map