import { Triangle } from "./triangle.js";
export const scenes = {
    triangle: async (out) => Triangle.create(out),
};
export const defaultScene = () => ("mesh" in scenes ? "mesh" : "triangle");
//# sourceMappingURL=scenes.js.map