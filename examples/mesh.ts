// Moved to scanout/scenes (src/scenes/); kept until every importer has moved.
export { TexturedMesh, fitMatrix, viewProjection, modelMatrix, uploadTexture, EYE, ROTATION_SPEED, type TexturedMeshOptions, type MeshLoadStats } from "../src/scenes/index.js";
