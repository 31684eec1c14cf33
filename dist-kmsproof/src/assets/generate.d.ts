export type Rgb = readonly [number, number, number];
type Vec3 = readonly [number, number, number];
export declare const TEXTURE_SIZE = 512;
export declare const CELL = 128;
export declare const WHITE: Rgb;
export declare const BLACK: Rgb;
/** A textured quad of the generated model: centre, outward normal, "up" in the face, half extents. */
export interface DemoFace {
    name: string;
    cell: number;
    colour: Rgb;
    centre: Vec3;
    normal: Vec3;
    up: Vec3;
    half: readonly [number, number];
    markers: boolean;
}
export declare const DEMO_FACES: readonly DemoFace[];
/** The colour the generated texture has at texel (x, y), y counted from the top row. */
export declare function demoTexel(x: number, y: number): Rgb;
export declare function demoTexture(): Uint8Array;
/**
 * Where a point given in face coordinates (s, t in 0..1, s to the right, t downwards from the top
 * edge, as seen from outside) lies on the model, and which texel it shows.
 */
export declare function demoFacePoint(face: DemoFace, s: number, t: number): {
    position: Vec3;
    texel: [number, number];
};
/** OBJ text of the demo model: shared positions, one normal per direction, 4 UVs per face. */
export declare function demoObj(): string;
export interface GeneratedAssets {
    obj: string;
    texture: string;
}
/** Writes room.obj and room.png into `dir` (created if missing) and returns their paths. */
export declare function generateDemoModel(dir: string): Promise<GeneratedAssets>;
/**
 * Writes a dense OBJ for load and throughput tests: a rippled grid of quads (two triangles each)
 * with v/vt/vn on every corner, about `triangles` triangles, spanning -1..1 in x and z.
 * Streams to disk so generating 1M triangles does not hold the whole text in memory.
 */
export declare function writeDenseObj(path: string, triangles: number): Promise<{
    bytes: number;
    triangles: number;
}>;
export {};
