export interface Destroyable {
    destroy(): void;
}
export declare class Scope implements Disposable, AsyncDisposable {
    readonly name: string;
    private readonly owned;
    private closed;
    constructor(name?: string);
    /** Takes ownership of a resource; it is destroyed when the scope closes. Returns it for chaining. */
    add<T extends Destroyable>(resource: T): T;
    /** Runs fn when the scope closes (after everything added later has been destroyed). */
    defer(fn: () => void): void;
    get isClosed(): boolean;
    /** Destroys everything in reverse order. Every destructor runs even if one throws; the first error is rethrown. */
    close(): void;
    [Symbol.dispose](): void;
    [Symbol.asyncDispose](): Promise<void>;
}
