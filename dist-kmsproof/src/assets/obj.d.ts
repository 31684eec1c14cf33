/** Floats per vertex: position xyz, normal xyz, uv. */
export declare const VERTEX_FLOATS = 8;
export declare const VERTEX_STRIDE: number;
export declare const POSITION_OFFSET = 0;
export declare const NORMAL_OFFSET = 12;
export declare const UV_OFFSET = 24;
/** How to fill in normals the file does not give: per-position average (smooth) or per face (flat). */
export type NormalMode = "smooth" | "flat";
export interface ObjOptions {
    /** Name used in errors and warnings (defaults to the path, or "<obj>" for in-memory text). */
    name?: string;
    /** Normals computed where the file has none. Default "smooth" (angle-weighted per position). */
    normals?: NormalMode;
    /** Texture coordinate for corners without one (Vulkan convention, v down). Default [0, 0]. */
    defaultUv?: readonly [number, number];
}
export interface Mesh {
    name: string;
    /** Interleaved position(3) normal(3) uv(2) floats, VERTEX_STRIDE bytes a vertex; v already flipped. */
    vertices: Float32Array;
    /** Triangle list; Uint16 when every index fits, else Uint32. */
    indices: Uint16Array | Uint32Array;
    vertexCount: number;
    triangleCount: number;
    /** Where the normals came from: all from the file, all computed, or some of each. */
    normals: "file" | "smooth" | "flat" | "mixed-smooth" | "mixed-flat";
    /** False when at least one corner had no texture coordinate and got the default. */
    hasTexCoords: boolean;
    bounds: {
        min: [number, number, number];
        max: [number, number, number];
    };
    /** Warnings also sent to the logger (missing texture coordinates, unknown statements). */
    warnings: string[];
}
/** Parses OBJ text (a Buffer or string) into an indexed, interleaved mesh. */
export declare function parseObj(source: Uint8Array | string, options?: ObjOptions): Mesh;
/** Reads and parses an OBJ file; errors name the file (and line). */
export declare function loadObj(path: string, options?: ObjOptions): Promise<Mesh>;
