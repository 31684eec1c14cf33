// Everything the benchmark takes from the demo scenes (scanout/scenes), in one place.
export { Triangle, TexturedMesh, fitMatrix, viewProjection, uploadTexture, generateDemoModel, LIGHT, ROTATION_SPEED, TRIANGLE_CLEAR } from "../src/scenes/index.js";
