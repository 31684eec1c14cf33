#version 450
// A triangle made from gl_VertexIndex alone (no vertex buffer), turned and shifted by a uniform.
// params: x = angle in radians, y = horizontal shift in clip space, z = height / width (keeps the
// triangle's proportions whatever the target's aspect). turn: the target's clip transform as a
// column-major mat2 (identity unless the presenter pre-rotates, see src/render/pre-rotation.ts).
layout(set = 0, binding = 0) uniform TriangleUniform { vec4 params; vec4 turn; } u;
layout(location = 0) out vec3 color;

const vec2 POSITIONS[3] = vec2[](vec2(0.0, -0.7), vec2(0.6, 0.5), vec2(-0.6, 0.5));
const vec3 COLORS[3] = vec3[](vec3(1.0, 0.1, 0.1), vec3(0.1, 1.0, 0.1), vec3(0.1, 0.2, 1.0));

void main() {
    vec2 p = POSITIONS[gl_VertexIndex];
    float c = cos(u.params.x), s = sin(u.params.x);
    p = mat2(c, s, -s, c) * p;
    vec2 seen = vec2(p.x * u.params.z + u.params.y, p.y);
    gl_Position = vec4(mat2(u.turn.xy, u.turn.zw) * seen, 0.0, 1.0);
    color = COLORS[gl_VertexIndex];
}
