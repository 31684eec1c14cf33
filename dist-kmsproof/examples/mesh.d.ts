import { mat4, vec3 } from "gl-matrix";
import { type Mesh, type NormalMode } from "../src/assets/obj.js";
import { type Rgba8Image } from "../src/assets/png.js";
import { Format, Image, Scope, type CommandBuffer, type Device, type Frame, type ImageView, type Scene, type TargetInfo } from "../src/index.js";
/** Radians per second the model turns about its vertical axis. */
export declare const ROTATION_SPEED = 0.5;
export interface TexturedMeshOptions {
    /** Path of the OBJ model. */
    obj: string;
    /** Path of the PNG texture. */
    texture: string;
    /** Normals computed when the OBJ has none (default "smooth"). */
    normals?: NormalMode;
    /** How much the light shades the texture: 0 = plain texture colours, 1 = full Lambert (default 0.35). */
    lighting?: number;
    /** Clear colour, RGBA 0..1. */
    clear?: readonly [number, number, number, number];
    /**
     * Faces to skip: "back" (default) assumes OBJ's counter-clockwise front faces, as exporters write
     * them, and halves the triangles rasterized; "none" draws both sides, for models whose winding is
     * inconsistent or that are seen from behind.
     */
    cullMode?: "back" | "none";
    /** Anisotropic filtering when the device has it (default true; costly on software rasterizers). */
    anisotropy?: boolean;
    /** Mipmaps when the format can be blitted with linear filtering (default true). */
    mipmaps?: boolean;
    /** SPIR-V files (default shaders/mesh.vert.spv and shaders/mesh.frag.spv). */
    shaders?: {
        vertex?: string;
        fragment?: string;
    };
}
/** Figures from loading, for logs and benchmarks. */
export interface MeshLoadStats {
    parseMs: number;
    decodeMs: number;
    geometryUploadMs: number;
    textureUploadMs: number;
    triangles: number;
    vertices: number;
    textureSize: [number, number];
    mipLevels: number;
    anisotropy: number;
    depthFormat: string;
}
/** Where the camera is, in world space (the model is fitted into the unit sphere at the origin). */
export declare const EYE: vec3;
/** The model matrix at `time`: the fitted model turned about its vertical axis. */
export declare function modelMatrix(time: number, fit: mat4, out: mat4): mat4;
/** The camera's view-projection for `aspect` in Vulkan clip space: y down, depth 0..1. */
export declare function viewProjection(aspect: number, out: mat4, scratch?: mat4): mat4;
/** Scales and centres a mesh's bounding box into the unit sphere at the origin. */
export declare function fitMatrix(mesh: Pick<Mesh, "bounds">): mat4;
export declare function formatName(format: Format): string;
export declare class TexturedMesh implements Scene, AsyncDisposable {
    /** Shading strength, written into the uniform at each update (0 shows plain texel colours). */
    lighting: number;
    readonly stats: MeshLoadStats;
    private readonly device;
    private readonly scope;
    private readonly renderPass;
    private readonly framebuffers;
    private readonly pipeline;
    private readonly layout;
    private readonly sets;
    private readonly uniforms;
    private readonly vertexBuffer;
    private readonly indexBuffer;
    private readonly indexType;
    private readonly indexCount;
    private readonly depthFormat;
    private readonly clear;
    /** Centres and scales the model into the unit sphere the camera frames. */
    readonly fit: mat4;
    private readonly model;
    private readonly viewProj;
    private readonly scratch;
    private aspectWidth;
    private aspectHeight;
    private destroyed;
    private constructor();
    /**
     * Loads the model and texture and builds everything to draw them into the presenter's targets
     * (`out` is the presenter or any TargetInfo; `format` overrides its format). Bad files fail
     * before any Vulkan object exists, and a failure later frees whatever was already made.
     */
    static load(out: TargetInfo, options: TexturedMeshOptions): Promise<TexturedMesh>;
    static load(out: TargetInfo | Device, format: Format, options: TexturedMeshOptions): Promise<TexturedMesh>;
    /** Writes the model matrix for frame.time into the frame's uniform slot. */
    update(frame: Pick<Frame, "time" | "slot">): void;
    /** Records the scene into frame.target: one render pass clearing colour and depth, one indexed draw. */
    draw(cmd: CommandBuffer, frame: Pick<Frame, "slot" | "target">): void;
    /** Frees everything once the GPU has finished the frames submitted so far. */
    destroy(): void;
    [Symbol.asyncDispose](): Promise<void>;
}
/**
 * Uploads RGBA8 pixels to a device-local, sampled image through a staging buffer, then fills the
 * mip chain with linear blits when the format supports them. Leaves every level in
 * SHADER_READ_ONLY_OPTIMAL. Returns the view (owned by `scope`) and the number of levels.
 */
export declare function uploadTexture(device: Device, scope: Scope, texture: Rgba8Image, format: Format, mipmaps?: boolean): {
    image: Image;
    view: ImageView;
    mipLevels: number;
};
