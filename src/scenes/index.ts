// scanout/scenes: ready-made renderers an app can draw with, written against the public API.
export { Triangle, TRIANGLE_CLEAR } from "./triangle.js";
export { TexturedMesh, type TexturedMeshOptions, type MeshLoadStats } from "./textured-mesh.js";
export { loadDemoMesh, generateDemoModel, type DemoMeshOptions } from "./demo-model.js";
export { uploadTexture, type Texture } from "./texture.js";
export { EYE, LIGHT, ROTATION_SPEED, fitMatrix, modelMatrix, viewProjection, type UpAxis } from "./camera.js";
export { OrbitCamera, type OrbitOptions } from "./orbit.js";
export { FragmentShader, FRAGMENT_SHADER_PUSH_CONSTANTS, type FragmentShaderOptions, type ReloadResult } from "./fragment-shader.js";
