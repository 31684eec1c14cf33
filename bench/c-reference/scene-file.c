/* Reads the scene description (see scene-file.h and bench/scene-file.ts). */
#include "scene-file.h"
#include "gpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MAGIC[8] = { 'S', 'C', 'N', 'R', 'E', 'F', '0', '1' };

typedef struct {
    const char *path;
    const uint8_t *p, *end;
} Cursor;

static const void *take(Cursor *c, size_t n, const char *what)
{
    if ((size_t)(c->end - c->p) < n) fail("%s: truncated scene file (reading %s)", c->path, what);
    const void *at = c->p;
    c->p += n;
    return at;
}

static uint32_t u32(Cursor *c, const char *what)
{
    uint32_t v;
    memcpy(&v, take(c, 4, what), 4);
    return v;
}

static double f64(Cursor *c, const char *what)
{
    double v;
    memcpy(&v, take(c, 8, what), 8);
    return v;
}

static void floats(Cursor *c, float *out, size_t n, const char *what)
{
    memcpy(out, take(c, 4 * n, what), 4 * n);
}

static char *string(Cursor *c, const char *what)
{
    uint32_t n = u32(c, what);
    char *s = malloc(n + 1u);
    if (!s) fail("out of memory");
    memcpy(s, take(c, n, what), n);
    s[n] = 0;
    return s;
}

static void read_mesh(Cursor *c, SceneFile *s)
{
    s->cull_back = (int)u32(c, "cull mode");
    s->anisotropy = (int)u32(c, "anisotropy");
    s->mipmaps = (int)u32(c, "mipmaps");
    floats(c, s->light, 4, "light");
    s->rotation_speed = f64(c, "rotation speed");
    floats(c, s->fit, 16, "fit matrix");
    floats(c, s->view_proj, 16, "view-projection");
    s->texture_format = (VkFormat)u32(c, "texture format");
    s->texture_width = u32(c, "texture width");
    s->texture_height = u32(c, "texture height");
    s->texels = take(c, (size_t)s->texture_width * s->texture_height * 4, "texels");
    s->vertex_bytes = u32(c, "vertex bytes");
    s->vertices = take(c, s->vertex_bytes, "vertices");
    s->index_size = u32(c, "index size");
    if (s->index_size != 2 && s->index_size != 4) fail("%s: index size %u (2 or 4)", c->path, s->index_size);
    s->index_count = u32(c, "index count");
    s->indices = take(c, (size_t)s->index_size * s->index_count, "indices");
}

void scene_file_read(const char *path, SceneFile *s)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "rb");
    if (!f) fail("%s: cannot open the scene file", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    s->blob = malloc(size > 0 ? (size_t)size : 1u);
    if (!s->blob || size < 0 || fread(s->blob, 1, (size_t)size, f) != (size_t)size) fail("%s: cannot read", path);
    fclose(f);
    Cursor c = { path, s->blob, (const uint8_t *)s->blob + size };
    if (memcmp(take(&c, 8, "magic"), MAGIC, 8) != 0) fail("%s: not a scanout scene file (bad magic)", path);
    s->kind = (SceneKind)u32(&c, "kind");
    if (s->kind != SCENE_TRIANGLE && s->kind != SCENE_MESH) fail("%s: unknown scene kind %d", path, (int)s->kind);
    s->width = u32(&c, "width");
    s->height = u32(&c, "height");
    s->color_format = (VkFormat)u32(&c, "colour format");
    floats(&c, s->clear, 4, "clear colour");
    s->timestep = f64(&c, "timestep");
    s->vertex_spv = string(&c, "vertex shader path");
    s->fragment_spv = string(&c, "fragment shader path");
    if (s->kind == SCENE_MESH) read_mesh(&c, s);
    if (c.p != c.end) fail("%s: %ld unexpected bytes at the end", path, (long)(c.end - c.p));
}

void scene_file_free(SceneFile *s)
{
    free(s->vertex_spv);
    free(s->fragment_spv);
    free(s->blob);
    memset(s, 0, sizeof *s);
}
