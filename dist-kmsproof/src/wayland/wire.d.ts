export type ArgType = "int" | "uint" | "fixed" | "string" | "object" | "new_id" | "array" | "fd";
export interface ArgSpec {
    readonly name: string;
    readonly type: ArgType;
    /** For object/new_id: the interface; absent on new_id means the untyped (string, uint, id) form. */
    readonly interface?: string;
    readonly nullable?: boolean;
}
export interface MessageSpec {
    readonly name: string;
    readonly since: number;
    readonly destructor?: boolean;
    readonly args: readonly ArgSpec[];
}
export interface InterfaceSpec {
    readonly name: string;
    readonly version: number;
    readonly requests: readonly MessageSpec[];
    readonly events: readonly MessageSpec[];
    readonly enums: Readonly<Record<string, Readonly<Record<string, number>>>>;
}
/** Value of an untyped new_id argument (wl_registry.bind). */
export interface UntypedNewId {
    interface: string;
    version: number;
    id: number;
}
/** A wire-level argument value as encoded/decoded (objects are ids here). */
export type WireValue = number | string | null | Uint8Array | UntypedNewId;
export declare const HEADER_SIZE = 8;
/** The size field is 16 bits; a message is a multiple of 4 bytes. */
export declare const MAX_MESSAGE_SIZE = 65532;
export declare class WireError extends Error {
    constructor(message: string);
}
export declare function toFixed(v: number): number;
export declare function fromFixed(raw: number): number;
/**
 * Encodes one message. `args` are wire values in signature order (objects as ids, 0 for null).
 * Descriptors are appended to `fds` in order.
 */
export declare function encodeMessage(objectId: number, opcode: number, spec: MessageSpec, args: readonly WireValue[], fds: number[]): Uint8Array;
/** Reads the header at `offset`; returns null when fewer than 8 bytes are buffered. */
export declare function readHeader(buf: Uint8Array, offset: number, length: number): {
    id: number;
    opcode: number;
    size: number;
} | null;
/**
 * Decodes the arguments of a message body (header excluded). `takeFd` yields the next received
 * descriptor or undefined. Object and new_id arguments come back as ids (0 = null).
 */
export declare function decodeArgs(spec: MessageSpec, body: Uint8Array, takeFd: () => number | undefined, where: string): WireValue[];
