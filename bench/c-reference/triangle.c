/* The triangle scene (examples/triangle.ts): no vertex buffer, a per-slot uniform
 * (angle, horizontal shift, height/width; then the clip turn, identity here) written every frame. */
#include "scene.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    Scene base;
    float clear[4];
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
    VkDescriptorPool pool;
    VkDescriptorSet sets[FRAMES_IN_FLIGHT];
    GpuBuffer uniforms[FRAMES_IN_FLIGHT];
} Triangle;

static void update(Scene *s, uint32_t slot, uint32_t index, double time, uint32_t width, uint32_t height)
{
    (void)time;
    Triangle *t = (Triangle *)s;
    float *u = t->uniforms[slot].mapped;
    u[0] = (float)(index * 0.02);
    u[1] = (float)(0.4 * sin(index * 0.013));
    u[2] = (float)((double)height / width);
    /* turn: the clip transform as a column-major mat2, identity (the C app never pre-rotates) */
    u[4] = 1.0f; u[5] = 0.0f; u[6] = 0.0f; u[7] = 1.0f;
}

static void record(Scene *s, VkCommandBuffer cmd, uint32_t slot, VkFramebuffer fb, uint32_t width, uint32_t height)
{
    Triangle *t = (Triangle *)s;
    begin_pass(cmd, s->render_pass, fb, width, height, t->clear, 0);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, t->pipeline);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, t->layout, 0, 1, &t->sets[slot], 0, NULL);
    vkCmdDraw(cmd, 3, 1, 0, 0);
    vkCmdEndRenderPass(cmd);
}

static void destroy(Scene *s, Gpu *g)
{
    Triangle *t = (Triangle *)s;
    for (int i = 0; i < FRAMES_IN_FLIGHT; i++) gpu_buffer_destroy(g, &t->uniforms[i]);
    vkDestroyDescriptorPool(g->device, t->pool, NULL);
    vkDestroyPipeline(g->device, t->pipeline, NULL);
    vkDestroyPipelineLayout(g->device, t->layout, NULL);
    vkDestroyDescriptorSetLayout(g->device, t->set_layout, NULL);
    vkDestroyRenderPass(g->device, s->render_pass, NULL);
    free(t);
}

Scene *triangle_create(Gpu *g, const SceneFile *f, VkImageLayout final_layout)
{
    Triangle *t = calloc(1, sizeof *t);
    if (!t) fail("out of memory");
    t->base = (Scene){ .update = update, .record = record, .destroy = destroy };
    for (int i = 0; i < 4; i++) t->clear[i] = f->clear[i];
    t->base.render_pass = make_render_pass(g, f->color_format, final_layout, VK_FORMAT_UNDEFINED);

    VkDescriptorSetLayoutBinding binding = { 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1, VK_SHADER_STAGE_VERTEX_BIT, NULL };
    VkDescriptorSetLayoutCreateInfo lci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, .bindingCount = 1, .pBindings = &binding,
    };
    VK(vkCreateDescriptorSetLayout(g->device, &lci, NULL, &t->set_layout));
    VkPipelineLayoutCreateInfo pli = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1, .pSetLayouts = &t->set_layout,
    };
    VK(vkCreatePipelineLayout(g->device, &pli, NULL, &t->layout));
    PipelineDesc pd = {
        .render_pass = t->base.render_pass,
        .layout = t->layout,
        .vertex_spv = f->vertex_spv,
        .fragment_spv = f->fragment_spv,
        .cull = VK_CULL_MODE_NONE,
    };
    t->pipeline = make_pipeline(g, &pd);

    VkDescriptorType type = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    t->pool = make_sets(g, t->set_layout, &type, 1, t->sets);
    for (int i = 0; i < FRAMES_IN_FLIGHT; i++) {
        t->uniforms[i] = gpu_host_buffer(g, 32, VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT); /* params, turn */
        VkDescriptorBufferInfo info = { t->uniforms[i].buffer, 0, VK_WHOLE_SIZE };
        VkWriteDescriptorSet write = {
            .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
            .dstSet = t->sets[i],
            .dstBinding = 0,
            .descriptorCount = 1,
            .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER,
            .pBufferInfo = &info,
        };
        vkUpdateDescriptorSets(g->device, 1, &write, 0, NULL);
    }
    return &t->base;
}

Scene *scene_create(Gpu *g, const SceneFile *f, VkImageLayout final_layout)
{
    return f->kind == SCENE_TRIANGLE ? triangle_create(g, f, final_layout) : mesh_create(g, f, final_layout);
}
