#version 450
#extension GL_GOOGLE_include_directive : require
// The HDR scene's light panel: a warm white emitting u.colour.w times SDR white (1000 cd/m² is
// 1000 / 203), encoded for the target; on SDR targets the tone curve rolls it off to white.
layout(set = 0, binding = 0) uniform MeshUniform {
    mat4 model;
    mat4 viewProj;
    vec4 light;
    vec4 colour;
} u;

layout(location = 0) in vec3 normal;
layout(location = 1) in vec2 uv;
layout(location = 0) out vec4 fragColor;

#include "colour.glsl"

void main() {
    fragColor = vec4(encodeSceneLight(vec3(1.0, 0.95, 0.85) * u.colour.w, u.colour), 1.0);
}
