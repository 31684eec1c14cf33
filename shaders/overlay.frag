#version 450
// An overlay layer composed into a frame where no plane can show it (src/present/kms-overlay.ts):
// inside the layer's rectangle (push constants, target pixels) the nearest texel of the layer,
// straight alpha, which the pipeline blends over the frame; outside it nothing is written.
layout(set = 0, binding = 0) uniform sampler2D layer;
layout(push_constant) uniform Rect { vec2 origin; vec2 size; } rect;
layout(location = 0) out vec4 colour;

void main() {
  vec2 p = gl_FragCoord.xy - rect.origin;
  if (any(lessThan(p, vec2(0.0))) || any(greaterThanEqual(p, rect.size))) discard;
  ivec2 texels = textureSize(layer, 0);
  colour = texelFetch(layer, min(ivec2(p * vec2(texels) / rect.size), texels - 1), 0);
}
