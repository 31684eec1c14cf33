// One process's GLSL figures for bench/glsl.ts: how long importing scanout takes (the compiler not
// loaded), how long loading the compiler takes, and how long a plasma-sized fragment shader then
// takes to compile. Prints them as JSON after GLSL_RESULT.
import { createRequire } from "node:module";

const t0 = performance.now();
const { loadGlslCompiler } = await import("../src/index.js");
const importMs = performance.now() - t0;
const loadedAtStart = Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("@webgpu/glslang"));

const t1 = performance.now();
const compiler = await loadGlslCompiler();
const loadMs = performance.now() - t1;

/** A plasma: four sines of position and time, a colour ramp; about the size of a Shadertoy starter. */
export const PLASMA = `#version 450
layout(push_constant) uniform Inputs { float time; vec2 resolution; vec2 mouse; } inputs;
layout(location = 0) out vec4 colour;

vec3 palette(float t) {
  return 0.5 + 0.5 * cos(6.28318 * (vec3(1.0, 1.0, 1.0) * t + vec3(0.0, 0.33, 0.67)));
}

void main() {
  vec2 uv = gl_FragCoord.xy / inputs.resolution;
  vec2 p = (uv - 0.5) * vec2(inputs.resolution.x / inputs.resolution.y, 1.0) * 8.0;
  float t = inputs.time;
  float v = sin(p.x + t);
  v += sin((p.y + t) * 0.5);
  v += sin((p.x + p.y + t) * 0.5);
  vec2 c = p + vec2(sin(t / 3.0), cos(t / 2.0)) * 4.0;
  v += sin(sqrt(dot(c, c) + 1.0) + t);
  float m = length(gl_FragCoord.xy - inputs.mouse) / inputs.resolution.y;
  colour = vec4(palette(v * 0.25 + m * 0.1), 1.0);
}
`;

const compileMs: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  compiler.compile({ source: PLASMA, stage: "fragment", file: "plasma.frag" });
  compileMs.push(performance.now() - t);
}
console.log(`GLSL_RESULT ${JSON.stringify({ importMs, loadedAtStart, loadMs, firstCompileMs: compileMs[0], compileMs })}`);
