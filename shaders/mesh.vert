#version 450
// Textured mesh: position, normal and uv from one interleaved vertex buffer (src/assets/obj.ts).
// The uniform holds the model matrix (rotation and uniform scale only, so mat3(model) turns
// normals correctly) and the camera's view-projection (Vulkan clip space: y down, depth 0..1).
layout(set = 0, binding = 0) uniform MeshUniform {
    mat4 model;
    mat4 viewProj;
    vec4 light; // xyz: direction towards the light (world space), w: how much it shades (0 = unlit)
} u;

layout(location = 0) in vec3 inPosition;
layout(location = 1) in vec3 inNormal;
layout(location = 2) in vec2 inUv;

layout(location = 0) out vec3 normal;
layout(location = 1) out vec2 uv;

void main() {
    gl_Position = u.viewProj * (u.model * vec4(inPosition, 1.0));
    normal = mat3(u.model) * inNormal;
    uv = inUv;
}
