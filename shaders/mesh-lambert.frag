#version 450
// Untextured variant of mesh.frag: Lambert shading of a constant albedo. The benchmark uses it to
// do the same per-pixel work as the C reference's torus, so the ratio measures the library, not
// lavapipe's software texture sampling.
layout(set = 0, binding = 0) uniform MeshUniform {
    mat4 model;
    mat4 viewProj;
    vec4 light;
} u;

layout(location = 0) in vec3 normal;
layout(location = 1) in vec2 uv;
layout(location = 0) out vec4 fragColor;

void main() {
    float diffuse = max(dot(normalize(normal), u.light.xyz), 0.0);
    fragColor = vec4(vec3(0.8, 0.5, 0.3) * (0.15 + 0.85 * diffuse), 1.0);
}
