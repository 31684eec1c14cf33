#version 450
// One step of Conway's Life on a torus: reads the cells' ages from src, writes the next ages to
// dst and each cell's colour to the storage image. Ages are whole numbers (0 = dead, capped at
// 255) and colours are n/255 exactly, so a CPU can reproduce every pixel.
layout(local_size_x = 8, local_size_y = 8) in;
layout(std430, set = 0, binding = 0) readonly buffer Src { uint age[]; } src;
layout(std430, set = 0, binding = 1) writeonly buffer Dst { uint age[]; } dst;
layout(set = 0, binding = 2, rgba8) uniform writeonly image2D colour;
layout(push_constant) uniform Grid { uint width; uint height; } grid;

uint alive(uint x, uint y) {
  return src.age[(y % grid.height) * grid.width + (x % grid.width)] > 0u ? 1u : 0u;
}

void main() {
  uvec2 p = gl_GlobalInvocationID.xy;
  if (p.x >= grid.width || p.y >= grid.height) return;
  // + width / + height keeps the left and top neighbours' coordinates unsigned
  uint x0 = p.x + grid.width - 1u, y0 = p.y + grid.height - 1u;
  uint n = alive(x0, y0) + alive(p.x, y0) + alive(p.x + 1u, y0)
         + alive(x0, p.y) + alive(p.x + 1u, p.y)
         + alive(x0, p.y + 1u) + alive(p.x, p.y + 1u) + alive(p.x + 1u, p.y + 1u);
  uint i = p.y * grid.width + p.x;
  uint age = src.age[i];
  uint next = (n == 3u || (age > 0u && n == 2u)) ? min(age + 1u, 255u) : 0u;
  dst.age[i] = next;
  uvec3 rgb = next == 0u ? uvec3(14u, 16u, 26u) : uvec3(255u, 255u - min(next * 24u, 200u), min(next * 12u, 220u));
  imageStore(colour, ivec2(p), vec4(vec3(rgb) / 255.0, 1.0));
}
