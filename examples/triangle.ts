// Moved to scanout/scenes (src/scenes/triangle.ts); kept until every importer has moved.
export { Triangle } from "../src/scenes/index.js";
