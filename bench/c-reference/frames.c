/* The shared frame loop and figures (see frames.h). */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

void frames_init(Frames *fl, Gpu *g, Scene *scene, const SceneFile *f, uint32_t targets, int staging)
{
    memset(fl, 0, sizeof *fl);
    if (targets > MAX_TARGETS) fail("at most %d targets", MAX_TARGETS);
    fl->g = g;
    fl->scene = scene;
    fl->width = f->width;
    fl->height = f->height;
    fl->target_count = targets;
    for (uint32_t i = 0; i < targets; i++) {
        Target *t = &fl->targets[i];
        t->image = gpu_image(g, f->width, f->height, f->color_format, 1,
                             VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT, VK_IMAGE_ASPECT_COLOR_BIT);
        VkImageView views[2] = { t->image.view, scene->depth_view };
        VkFramebufferCreateInfo fci = {
            .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
            .renderPass = scene->render_pass,
            .attachmentCount = scene->depth_view ? 2 : 1,
            .pAttachments = views,
            .width = f->width,
            .height = f->height,
            .layers = 1,
        };
        VK(vkCreateFramebuffer(g->device, &fci, NULL, &t->framebuffer));
        if (staging) t->staging = gpu_host_buffer(g, (VkDeviceSize)f->width * f->height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    }
    VkCommandBufferAllocateInfo cai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = g->pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    VkFenceCreateInfo signaled = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, .flags = VK_FENCE_CREATE_SIGNALED_BIT };
    for (int s = 0; s < FRAMES_IN_FLIGHT; s++) {
        VK(vkAllocateCommandBuffers(g->device, &cai, &fl->slots[s].cmd));
        VK(vkCreateFence(g->device, &signaled, NULL, &fl->slots[s].fence));
    }
}

static void copy_to_staging(VkCommandBuffer cmd, Target *t, uint32_t width, uint32_t height)
{
    VkBufferImageCopy region = { .imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 }, .imageExtent = { width, height, 1 } };
    vkCmdCopyImageToBuffer(cmd, t->image.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, t->staging.buffer, 1, &region);
}

Target *frames_render(Frames *fl, uint32_t index, double time)
{
    Gpu *g = fl->g;
    uint32_t s = index % FRAMES_IN_FLIGHT;
    if (fl->slots[s].in_flight) {
        VK(vkWaitForFences(g->device, 1, &fl->slots[s].fence, VK_TRUE, UINT64_MAX));
        fl->slots[s].in_flight = 0;
    }
    Target *t = &fl->targets[fl->next];
    fl->next = (fl->next + 1) % fl->target_count;
    VkCommandBuffer cmd = fl->slots[s].cmd;
    VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT };
    VK(vkBeginCommandBuffer(cmd, &begin));
    fl->scene->update(fl->scene, s, index, time, fl->width, fl->height);
    fl->scene->record(fl->scene, cmd, s, t->framebuffer, fl->width, fl->height);
    if (t->staging.buffer) copy_to_staging(cmd, t, fl->width, fl->height);
    VK(vkEndCommandBuffer(cmd));
    VK(vkResetFences(g->device, 1, &fl->slots[s].fence));
    VkSubmitInfo submit = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd };
    VK(vkQueueSubmit(g->queue, 1, &submit, fl->slots[s].fence));
    fl->slots[s].in_flight = 1;
    t->rendered = fl->slots[s].fence;
    return t;
}

void frames_settle(Frames *fl)
{
    for (int s = 0; s < FRAMES_IN_FLIGHT; s++) {
        if (!fl->slots[s].in_flight) continue;
        VK(vkWaitForFences(fl->g->device, 1, &fl->slots[s].fence, VK_TRUE, UINT64_MAX));
        fl->slots[s].in_flight = 0;
    }
}

void frames_read_target(Frames *fl, Target *t, uint8_t *bgra)
{
    Gpu *g = fl->g;
    VkDeviceSize bytes = (VkDeviceSize)fl->width * fl->height * 4;
    GpuBuffer readback = gpu_host_buffer(g, bytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT);
    VkCommandBuffer cmd = gpu_begin_once(g);
    VkBufferImageCopy region = { .imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 }, .imageExtent = { fl->width, fl->height, 1 } };
    vkCmdCopyImageToBuffer(cmd, t->image.image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback.buffer, 1, &region);
    gpu_end_once(g, cmd);
    memcpy(bgra, readback.mapped, bytes);
    gpu_buffer_destroy(g, &readback);
}

void frames_destroy(Frames *fl)
{
    Gpu *g = fl->g;
    frames_settle(fl);
    for (int s = 0; s < FRAMES_IN_FLIGHT; s++) {
        vkDestroyFence(g->device, fl->slots[s].fence, NULL);
        vkFreeCommandBuffers(g->device, g->pool, 1, &fl->slots[s].cmd);
    }
    for (uint32_t i = 0; i < fl->target_count; i++) {
        Target *t = &fl->targets[i];
        vkDestroyFramebuffer(g->device, t->framebuffer, NULL);
        if (t->staging.buffer) gpu_buffer_destroy(g, &t->staging);
        gpu_image_destroy(g, &t->image);
    }
}

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

double cpu_seconds(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

void print_figures(const char *what, uint32_t frames, double seconds, double cpu, double thread_cpu)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s frames=%u seconds=%.4f per_second=%.2f cpu_ms_per_frame=%.4f app_thread_cpu_ms_per_frame=%.4f max_rss_kb=%ld\n", what,
           frames, seconds, frames / seconds, cpu * 1e3 / frames, thread_cpu * 1e3 / frames, ru.ru_maxrss);
    fflush(stdout);
}

void write_rgba(const char *path, const uint8_t *bgra, uint32_t width, uint32_t height, uint32_t stride, int opaque)
{
    uint8_t *row = malloc((size_t)width * 4);
    FILE *f = fopen(path, "wb");
    if (!row || !f) fail("%s: cannot write the captured frame", path);
    for (uint32_t y = 0; y < height; y++) {
        const uint8_t *src = bgra + (size_t)y * stride;
        for (uint32_t x = 0; x < width; x++) {
            row[4 * x] = src[4 * x + 2];
            row[4 * x + 1] = src[4 * x + 1];
            row[4 * x + 2] = src[4 * x];
            row[4 * x + 3] = opaque ? 255 : src[4 * x + 3];
        }
        if (fwrite(row, 4, width, f) != width) fail("%s: short write", path);
    }
    if (fclose(f) != 0) fail("%s: cannot write the captured frame", path);
    free(row);
}
