#version 450
layout(set = 0, binding = 0) uniform MeshUniform {
    mat4 model;
    mat4 viewProj;
    vec4 light;
} u;
layout(set = 0, binding = 1) uniform sampler2D tex;

layout(location = 0) in vec3 normal;
layout(location = 1) in vec2 uv;
layout(location = 0) out vec4 fragColor;

void main() {
    vec4 texel = texture(tex, uv);
    // two-sided Lambert (faces are drawn from both sides) blended with the plain texture colour
    float diffuse = abs(dot(normalize(normal), u.light.xyz));
    fragColor = vec4(texel.rgb * mix(1.0, diffuse, u.light.w), texel.a);
}
