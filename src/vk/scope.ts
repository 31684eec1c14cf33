// Scoped lifetimes: a Scope owns what is created in it and destroys it in reverse creation order.
import { ScopeClosedError } from "./errors.js";

/** Anything with a destroy() a Scope can own or a device can retire (every Resource, and TargetFramebuffers). */
export interface Destroyable {
  /** Frees what it holds; must be safe to call more than once. */
  destroy(): void;
}

/**
 * Owns resources and destroys them in reverse order of adding when it closes: pass it as `scope` in any create() options,
 * or use Scope.build to free half-made things when construction throws. Works with `using` / `await using`.
 */
export class Scope implements Destroyable, Disposable, AsyncDisposable {
  private readonly owned: (() => void)[] = [];
  private closed = false;

  constructor(readonly name = "scope") {}

  /**
   * Builds something that owns a new scope: `fn` makes resources into it, and if `fn` throws,
   * everything it made so far is destroyed before the error reaches the caller (no try/catch in
   * every constructor).
   */
  static build<T>(name: string, fn: (scope: Scope) => T): T {
    const scope = new Scope(name);
    try {
      return fn(scope);
    } catch (error) {
      scope.close();
      throw error;
    }
  }

  /** Scope.build for asynchronous construction. */
  static async buildAsync<T>(name: string, fn: (scope: Scope) => Promise<T>): Promise<T> {
    const scope = new Scope(name);
    try {
      return await fn(scope);
    } catch (error) {
      scope.close();
      throw error;
    }
  }

  /** Takes ownership of a resource; it is destroyed when the scope closes. Returns it for chaining. */
  add<T extends Destroyable>(resource: T): T {
    this.defer(() => resource.destroy());
    return resource;
  }

  /** Runs fn when the scope closes (after everything added later has been destroyed). */
  defer(fn: () => void): void {
    if (this.closed) throw new ScopeClosedError(this.name);
    this.owned.push(fn);
  }

  /** True once close() has run; adding to a closed scope throws. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Destroys everything in reverse order. Every destructor runs even if one throws; the first error is rethrown. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    let first: unknown;
    for (let i = this.owned.length - 1; i >= 0; i--) {
      try {
        this.owned[i]!();
      } catch (error) {
        first ??= error;
      }
    }
    this.owned.length = 0;
    if (first !== undefined) throw first;
  }

  /** close(), under the name Destroyable asks for: a whole scope can be handed to device.retire() (a resized swapchain's generation, freed once the GPU is done with it). */
  destroy(): void {
    this.close();
  }

  /** `using` support: calls close(). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** `await using` support: calls close() (synchronously). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
