import type { BlobId, ObjectKind, PropertyId } from "./types.js";
export declare const DRM_MODE_PROP: {
    readonly PENDING: 1;
    readonly RANGE: 2;
    readonly IMMUTABLE: 4;
    readonly ENUM: 8;
    readonly BLOB: 16;
    readonly BITMASK: 32;
    readonly OBJECT: number;
    readonly SIGNED_RANGE: number;
    readonly EXTENDED_TYPE: 65472;
    readonly ATOMIC: 2147483648;
};
export type PropertyKind = "range" | "signedRange" | "enum" | "bitmask" | "blob" | "object" | "fixed16";
export interface PropertyInfo {
    id: PropertyId;
    name: string;
    kind: PropertyKind;
    flags: number;
    immutable: boolean;
    /** Only settable through atomic requests. */
    atomicOnly: boolean;
    /** range / signedRange / fixed16: inclusive bounds. */
    range?: readonly [bigint, bigint];
    /** enum / bitmask: names and values (for bitmask, the value is the bit index). */
    enums?: readonly {
        name: string;
        value: bigint;
    }[];
    /** object: which kind of object the property refers to. */
    objectType?: ObjectKind;
}
export type PropertyValue = {
    kind: "range";
    value: bigint;
} | {
    kind: "signedRange";
    value: bigint;
} | {
    kind: "fixed16";
    value: number;
} | {
    kind: "enum";
    value: bigint;
    name: string | undefined;
} | {
    kind: "bitmask";
    value: bigint;
    names: string[];
} | {
    kind: "blob";
    blob: BlobId | undefined;
} | {
    kind: "object";
    objectType: ObjectKind | undefined;
    id: number | undefined;
};
/** What a caller may give for a property in an atomic request. */
export type PropertyInput = bigint | number | string | readonly string[] | {
    fixed16: number;
} | undefined;
/** Builds a PropertyInfo from the fields of struct drm_mode_get_property and its values/enums. */
export declare function makePropertyInfo(id: number, name: string, flags: number, values: readonly bigint[], enums: readonly {
    name: string;
    value: bigint;
}[]): PropertyInfo;
/** Decodes a raw u64 property value according to its definition. */
export declare function decodeProperty(info: PropertyInfo, raw: bigint): PropertyValue;
/** Encodes a value for an atomic request, checking it against the definition (errors name the property). */
export declare function encodeProperty(info: PropertyInfo, input: PropertyInput, owner?: string): bigint;
export declare function formatPropertyValue(v: PropertyValue): string;
/** Parsed IN_FORMATS blob (struct drm_format_modifier_blob): format -> supported modifiers. */
export declare function parseInFormats(blob: Uint8Array): Map<number, bigint[]>;
