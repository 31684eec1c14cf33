/* The scene description the TypeScript bench writes (bench/scene-file.ts), so that the C
 * references draw exactly what scanout draws: same SPIR-V, geometry, texture, camera and clear
 * colour. Little-endian; every field is listed in scene-file.c in the order it is read. */
#ifndef SCANOUT_REF_SCENE_FILE_H
#define SCANOUT_REF_SCENE_FILE_H

#include <stdint.h>
#include <vulkan/vulkan.h>

typedef enum { SCENE_TRIANGLE = 1, SCENE_MESH = 2 } SceneKind;

typedef struct {
    SceneKind kind;
    uint32_t width, height; /* the target size the view-projection was made for */
    VkFormat color_format;
    float clear[4];
    double timestep; /* seconds per frame: frame time = index * timestep */
    char *vertex_spv, *fragment_spv;
    /* mesh only */
    int cull_back, anisotropy, mipmaps;
    float light[4]; /* xyz towards the light, w how much it shades */
    double rotation_speed; /* radians per second about y */
    float fit[16], view_proj[16]; /* column-major */
    VkFormat texture_format;
    uint32_t texture_width, texture_height;
    const uint8_t *texels; /* RGBA8, rows top to bottom */
    const void *vertices; /* position(3) normal(3) uv(2) floats per vertex */
    uint32_t vertex_bytes;
    const void *indices;
    uint32_t index_size, index_count; /* index_size 2 or 4 */
    void *blob; /* the file's bytes, which the pointers above point into */
} SceneFile;

void scene_file_read(const char *path, SceneFile *out);
void scene_file_free(SceneFile *s);

#endif
