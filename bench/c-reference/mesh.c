/* The textured-mesh scene (examples/mesh.ts): interleaved vertices and indices in device-local
 * buffers, an RGBA texture with its mip chain made by linear blits, a mipmapped (anisotropic when
 * asked) sampler, a depth buffer, and per-slot uniforms: model, view-projection, light. */
#include "scene.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { UNIFORM_FLOATS = 16 + 16 + 4 };

typedef struct {
    Scene base;
    const SceneFile *f;
    VkFormat depth_format;
    GpuImage depth, texture;
    GpuBuffer vertices, indices, uniforms[FRAMES_IN_FLIGHT];
    VkSampler sampler;
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
    VkDescriptorPool pool;
    VkDescriptorSet sets[FRAMES_IN_FLIGHT];
} Mesh;

/* out = a * b, column-major, each element summed in double in the order gl-matrix's multiply uses. */
static void mat4_multiply(float out[16], const float a[16], const float b[16])
{
    float r[16];
    for (int col = 0; col < 4; col++)
        for (int row = 0; row < 4; row++) {
            double sum = 0;
            for (int k = 0; k < 4; k++) sum += (double)b[col * 4 + k] * a[k * 4 + row];
            r[col * 4 + row] = (float)sum;
        }
    memcpy(out, r, sizeof r);
}

static void update(Scene *s, uint32_t slot, uint32_t index, double time, uint32_t width, uint32_t height)
{
    (void)index, (void)width, (void)height;
    Mesh *m = (Mesh *)s;
    double angle = time * m->f->rotation_speed;
    float c = (float)cos(angle), sn = (float)sin(angle);
    const float turn[16] = { c, 0, -sn, 0, 0, 1, 0, 0, sn, 0, c, 0, 0, 0, 0, 1 };
    float *u = m->uniforms[slot].mapped;
    mat4_multiply(u, turn, m->f->fit);
    memcpy(u + 32, m->f->light, 4 * sizeof(float));
}

static void record(Scene *s, VkCommandBuffer cmd, uint32_t slot, VkFramebuffer fb, uint32_t width, uint32_t height)
{
    Mesh *m = (Mesh *)s;
    memcpy((float *)m->uniforms[slot].mapped + 16, m->f->view_proj, 16 * sizeof(float));
    begin_pass(cmd, s->render_pass, fb, width, height, m->f->clear, 1);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m->pipeline);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m->layout, 0, 1, &m->sets[slot], 0, NULL);
    VkDeviceSize offset = 0;
    vkCmdBindVertexBuffers(cmd, 0, 1, &m->vertices.buffer, &offset);
    vkCmdBindIndexBuffer(cmd, m->indices.buffer, 0, m->f->index_size == 2 ? VK_INDEX_TYPE_UINT16 : VK_INDEX_TYPE_UINT32);
    vkCmdDrawIndexed(cmd, m->f->index_count, 1, 0, 0, 0);
    vkCmdEndRenderPass(cmd);
}

static void destroy(Scene *s, Gpu *g)
{
    Mesh *m = (Mesh *)s;
    for (int i = 0; i < FRAMES_IN_FLIGHT; i++) gpu_buffer_destroy(g, &m->uniforms[i]);
    vkDestroyDescriptorPool(g->device, m->pool, NULL);
    vkDestroyPipeline(g->device, m->pipeline, NULL);
    vkDestroyPipelineLayout(g->device, m->layout, NULL);
    vkDestroyDescriptorSetLayout(g->device, m->set_layout, NULL);
    vkDestroySampler(g->device, m->sampler, NULL);
    gpu_image_destroy(g, &m->texture);
    gpu_image_destroy(g, &m->depth);
    gpu_buffer_destroy(g, &m->indices);
    gpu_buffer_destroy(g, &m->vertices);
    vkDestroyRenderPass(g->device, s->render_pass, NULL);
    free(m);
}

static VkFormat pick_depth_format(Gpu *g)
{
    const VkFormat candidates[] = { VK_FORMAT_D32_SFLOAT, VK_FORMAT_D24_UNORM_S8_UINT, VK_FORMAT_D16_UNORM };
    for (unsigned i = 0; i < sizeof candidates / sizeof *candidates; i++)
        if (gpu_optimal_features(g, candidates[i]) & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT) return candidates[i];
    fail("no depth format");
}

/* Staging upload of level 0, then each level blitted from the one above; all levels end up
 * SHADER_READ_ONLY_OPTIMAL (the same commands as scanout's uploadTexture). */
static GpuImage upload_texture(Gpu *g, const SceneFile *f)
{
    const VkFormatFeatureFlags need = VK_FORMAT_FEATURE_SAMPLED_IMAGE_FILTER_LINEAR_BIT | VK_FORMAT_FEATURE_BLIT_SRC_BIT |
                                      VK_FORMAT_FEATURE_BLIT_DST_BIT;
    int can_blit = (gpu_optimal_features(g, f->texture_format) & need) == need;
    uint32_t w = f->texture_width, h = f->texture_height;
    uint32_t levels = f->mipmaps && can_blit ? (uint32_t)floor(log2((double)(w > h ? w : h))) + 1 : 1;
    VkImageUsageFlags usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT | (levels > 1 ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
    GpuImage im = gpu_image(g, w, h, f->texture_format, levels, usage, VK_IMAGE_ASPECT_COLOR_BIT);
    VkDeviceSize bytes = (VkDeviceSize)w * h * 4;
    GpuBuffer staging = gpu_host_buffer(g, bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
    memcpy(staging.mapped, f->texels, bytes);

    const VkImageAspectFlags color = VK_IMAGE_ASPECT_COLOR_BIT;
    VkCommandBuffer cmd = gpu_begin_once(g);
    gpu_transition(cmd, im.image, color, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 0, levels);
    VkBufferImageCopy copy = { .imageSubresource = { color, 0, 0, 1 }, .imageExtent = { w, h, 1 } };
    vkCmdCopyBufferToImage(cmd, staging.buffer, im.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &copy);
    for (uint32_t level = 1; level < levels; level++) {
        int32_t sw = (int32_t)(w >> (level - 1)), sh = (int32_t)(h >> (level - 1));
        if (sw < 1) sw = 1;
        if (sh < 1) sh = 1;
        gpu_transition(cmd, im.image, color, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, level - 1, 1);
        VkImageBlit blit = {
            .srcSubresource = { color, level - 1, 0, 1 },
            .srcOffsets = { { 0, 0, 0 }, { sw, sh, 1 } },
            .dstSubresource = { color, level, 0, 1 },
            .dstOffsets = { { 0, 0, 0 }, { sw > 1 ? sw >> 1 : 1, sh > 1 ? sh >> 1 : 1, 1 } },
        };
        vkCmdBlitImage(cmd, im.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, im.image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &blit,
                       VK_FILTER_LINEAR);
        gpu_transition(cmd, im.image, color, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, level - 1, 1);
    }
    gpu_transition(cmd, im.image, color, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, levels - 1, 1);
    gpu_end_once(g, cmd);
    gpu_buffer_destroy(g, &staging);
    return im;
}

static VkSampler make_sampler(Gpu *g, const SceneFile *f, uint32_t levels)
{
    int aniso = f->anisotropy && g->anisotropy;
    float max_aniso = g->props.limits.maxSamplerAnisotropy < 16 ? g->props.limits.maxSamplerAnisotropy : 16;
    VkSamplerCreateInfo sci = {
        .sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO,
        .magFilter = VK_FILTER_LINEAR,
        .minFilter = VK_FILTER_LINEAR,
        .mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR,
        .addressModeU = VK_SAMPLER_ADDRESS_MODE_REPEAT,
        .addressModeV = VK_SAMPLER_ADDRESS_MODE_REPEAT,
        .addressModeW = VK_SAMPLER_ADDRESS_MODE_REPEAT,
        .anisotropyEnable = aniso ? VK_TRUE : VK_FALSE,
        .maxAnisotropy = aniso ? max_aniso : 1.0f,
        .compareOp = VK_COMPARE_OP_ALWAYS,
        .maxLod = (float)levels,
        .borderColor = VK_BORDER_COLOR_INT_OPAQUE_BLACK,
    };
    VkSampler sampler;
    VK(vkCreateSampler(g->device, &sci, NULL, &sampler));
    return sampler;
}

static void make_descriptors(Gpu *g, Mesh *m)
{
    VkDescriptorSetLayoutBinding bindings[2] = {
        { 0, VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, NULL },
        { 1, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 1, VK_SHADER_STAGE_FRAGMENT_BIT, NULL },
    };
    VkDescriptorSetLayoutCreateInfo lci = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO, .bindingCount = 2, .pBindings = bindings,
    };
    VK(vkCreateDescriptorSetLayout(g->device, &lci, NULL, &m->set_layout));
    const VkDescriptorType types[2] = { VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER };
    m->pool = make_sets(g, m->set_layout, types, 2, m->sets);
    for (int i = 0; i < FRAMES_IN_FLIGHT; i++) {
        m->uniforms[i] = gpu_host_buffer(g, UNIFORM_FLOATS * sizeof(float), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT);
        VkDescriptorBufferInfo buffer = { m->uniforms[i].buffer, 0, VK_WHOLE_SIZE };
        VkDescriptorImageInfo image = { m->sampler, m->texture.view, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL };
        VkWriteDescriptorSet writes[2] = {
            { .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = m->sets[i], .dstBinding = 0, .descriptorCount = 1,
              .descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, .pBufferInfo = &buffer },
            { .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET, .dstSet = m->sets[i], .dstBinding = 1, .descriptorCount = 1,
              .descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, .pImageInfo = &image },
        };
        vkUpdateDescriptorSets(g->device, 2, writes, 0, NULL);
    }
}

Scene *mesh_create(Gpu *g, const SceneFile *f, VkImageLayout final_layout)
{
    Mesh *m = calloc(1, sizeof *m);
    if (!m) fail("out of memory");
    m->base = (Scene){ .update = update, .record = record, .destroy = destroy };
    m->f = f;
    m->depth_format = pick_depth_format(g);
    m->vertices = gpu_device_buffer(g, f->vertices, f->vertex_bytes, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT);
    m->indices = gpu_device_buffer(g, f->indices, (VkDeviceSize)f->index_size * f->index_count, VK_BUFFER_USAGE_INDEX_BUFFER_BIT);
    m->texture = upload_texture(g, f);
    m->sampler = make_sampler(g, f, m->texture.levels);
    make_descriptors(g, m);
    VkPipelineLayoutCreateInfo pli = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO, .setLayoutCount = 1, .pSetLayouts = &m->set_layout,
    };
    VK(vkCreatePipelineLayout(g->device, &pli, NULL, &m->layout));
    m->base.render_pass = make_render_pass(g, f->color_format, final_layout, m->depth_format);
    PipelineDesc pd = {
        .render_pass = m->base.render_pass,
        .layout = m->layout,
        .vertex_spv = f->vertex_spv,
        .fragment_spv = f->fragment_spv,
        .mesh_vertices = 1,
        .cull = f->cull_back ? VK_CULL_MODE_BACK_BIT : VK_CULL_MODE_NONE,
        .depth_test = 1,
    };
    m->pipeline = make_pipeline(g, &pd);
    m->depth = gpu_image(g, f->width, f->height, m->depth_format, 1, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_ASPECT_DEPTH_BIT);
    m->base.depth_view = m->depth.view;
    return &m->base;
}
