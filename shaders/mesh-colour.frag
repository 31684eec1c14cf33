#version 450
#extension GL_GOOGLE_include_directive : require
// mesh.frag for colour-managed targets: the same look (the texel shaded as mesh.frag shades it is
// the SDR picture, display-referred), decoded to linear light as a 2.2 display shows it and encoded for the target.
layout(set = 0, binding = 0) uniform MeshUniform {
    mat4 model;
    mat4 viewProj;
    vec4 light;
    vec4 colour; // colour.glsl's params; w: the HDR light's intensity (emissive.frag)
} u;
layout(set = 0, binding = 1) uniform sampler2D tex;

layout(location = 0) in vec3 normal;
layout(location = 1) in vec2 uv;
layout(location = 0) out vec4 fragColor;

#include "colour.glsl"

void main() {
    vec4 texel = texture(tex, uv);
    float diffuse = abs(dot(normalize(normal), u.light.xyz));
    vec3 sdr = texel.rgb * mix(1.0, diffuse, u.light.w);
    fragColor = vec4(encodeSceneLight(sdrDecode(sdr), u.colour), texel.a);
}
