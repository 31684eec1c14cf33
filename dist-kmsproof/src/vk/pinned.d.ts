/**
 * Points struct.field at a native array holding a copy of items' bytes. Returns that array's bytes,
 * which the caller may rewrite later (e.g. new clear colours) without re-pinning.
 */
export declare function pinArray(struct: object, field: string, nvkObjects: readonly object[]): Uint8Array;
