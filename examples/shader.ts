#!/usr/bin/env -S node --no-memory-reducer
// A full-screen GLSL fragment shader, compiled at run time and reloaded whenever its file changes
// (an edit that does not compile is reported with its line and the last good shader keeps
// drawing). The shader gets layout(push_constant) uniform { float time; vec2 resolution; vec2 mouse; }
// at offsets 0, 8 and 16, and writes its colour to location 0. Headless it writes shader.png.
import { FragmentShader } from "../src/scenes/index.js";
import { main } from "./app.js";

process.exitCode = await main({
  name: "shader",
  argument: "FILE.frag",
  about:
    "Draws FILE.frag (GLSL 450) over the whole target with push constants { float time; vec2 resolution; vec2 mouse; }\n" +
    "at offsets 0, 8, 16; reloads it when the file changes, keeping the last good shader when an edit does not compile.",
  scene: async (out, _args, file) => {
    const watch = out.backend !== "headless";
    const scene = await FragmentShader.create(out, {
      file: file!,
      watch,
      onReload: (r) => (r.ok ? console.log(`reloaded ${r.file}`) : console.error(`shader: ${r.error.message} (still drawing the last good version)`)),
    });
    if (watch) console.log(`drawing ${file}; it reloads when the file changes`);
    return scene;
  },
});
