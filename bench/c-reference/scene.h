/* A scene as the frame loop sees it (the C twin of scanout's Scene): a render pass to make
 * framebuffers with, a per-frame update of the slot's uniforms, and the recording of one frame. */
#ifndef SCANOUT_REF_SCENE_H
#define SCANOUT_REF_SCENE_H

#include "gpu.h"
#include "scene-file.h"

typedef struct Scene Scene;
struct Scene {
    VkRenderPass render_pass;
    VkImageView depth_view; /* shared by every target; VK_NULL_HANDLE without depth */
    void (*update)(Scene *s, uint32_t slot, uint32_t index, double time, uint32_t width, uint32_t height);
    void (*record)(Scene *s, VkCommandBuffer cmd, uint32_t slot, VkFramebuffer fb, uint32_t width, uint32_t height);
    void (*destroy)(Scene *s, Gpu *g);
};

/* The scene the file describes, drawing into `color` images left in `final_layout`. */
Scene *scene_create(Gpu *g, const SceneFile *f, VkImageLayout final_layout);
Scene *triangle_create(Gpu *g, const SceneFile *f, VkImageLayout final_layout);
Scene *mesh_create(Gpu *g, const SceneFile *f, VkImageLayout final_layout);

/* Building blocks the scenes share (pipeline.c). */
VkRenderPass make_render_pass(Gpu *g, VkFormat color, VkImageLayout final_layout, VkFormat depth);

typedef struct {
    VkRenderPass render_pass;
    VkPipelineLayout layout;
    const char *vertex_spv, *fragment_spv;
    int mesh_vertices; /* one interleaved position/normal/uv buffer at binding 0 */
    VkCullModeFlags cull;
    int depth_test;
} PipelineDesc;
VkPipeline make_pipeline(Gpu *g, const PipelineDesc *d);

/* A pool for FRAMES_IN_FLIGHT sets of `layout`, and the sets. */
VkDescriptorPool make_sets(Gpu *g, VkDescriptorSetLayout layout, const VkDescriptorType *types, uint32_t ntypes,
                           VkDescriptorSet sets[FRAMES_IN_FLIGHT]);
void begin_pass(VkCommandBuffer cmd, VkRenderPass pass, VkFramebuffer fb, uint32_t width, uint32_t height,
                const float clear[4], int depth);

#endif
