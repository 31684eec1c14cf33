#version 450
// Draws the Life grid's colour image over the target, nearest cell per pixel (texelFetch: no filtering).
layout(set = 0, binding = 0) uniform sampler2D colour;
layout(push_constant) uniform Target { vec2 size; } target;
layout(location = 0) out vec4 outColour;

void main() {
  ivec2 grid = textureSize(colour, 0);
  ivec2 cell = min(ivec2(gl_FragCoord.xy / target.size * vec2(grid)), grid - 1);
  outColour = texelFetch(colour, cell, 0);
}
