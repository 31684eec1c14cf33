/* Vulkan set-up and the small helpers every reference program uses (see gpu.h). */
#include "gpu.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

void vk_check(VkResult r, const char *call, const char *file, int line)
{
    if (r != VK_SUCCESS) fail("%s:%d: %s failed: VkResult %d", file, line, call, (int)r);
}

static uint32_t memory_type(Gpu *g, uint32_t bits, VkMemoryPropertyFlags need)
{
    for (uint32_t i = 0; i < g->memory.memoryTypeCount; i++)
        if ((bits & (1u << i)) && (g->memory.memoryTypes[i].propertyFlags & need) == need) return i;
    fail("no memory type with properties 0x%x in mask 0x%x", need, bits);
}

static VkDeviceMemory allocate(Gpu *g, VkMemoryRequirements req, VkMemoryPropertyFlags props)
{
    VkMemoryAllocateInfo mai = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .allocationSize = req.size,
        .memoryTypeIndex = memory_type(g, req.memoryTypeBits, props),
    };
    VkDeviceMemory memory;
    VK(vkAllocateMemory(g->device, &mai, NULL, &memory));
    return memory;
}

void gpu_open(Gpu *g)
{
    gpu_open_with(g, NULL, 0, NULL, 0);
}

void gpu_open_with(Gpu *g, const char *const *instance_ext, uint32_t n_instance, const char *const *device_ext, uint32_t n_device)
{
    memset(g, 0, sizeof *g);
    VkApplicationInfo app = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "scanout-c-reference",
        .apiVersion = VK_MAKE_VERSION(1, 1, 0),
    };
    VkInstanceCreateInfo ici = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pApplicationInfo = &app,
        .enabledExtensionCount = n_instance,
        .ppEnabledExtensionNames = instance_ext,
    };
    VK(vkCreateInstance(&ici, NULL, &g->instance));

    uint32_t count = 0;
    VK(vkEnumeratePhysicalDevices(g->instance, &count, NULL));
    if (count == 0) fail("the Vulkan loader lists no physical devices");
    VkPhysicalDevice devices[16];
    if (count > 16) count = 16;
    VK(vkEnumeratePhysicalDevices(g->instance, &count, devices));
    for (uint32_t d = 0; d < count && !g->physical; d++) {
        uint32_t nf = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(devices[d], &nf, NULL);
        VkQueueFamilyProperties families[16];
        if (nf > 16) nf = 16;
        vkGetPhysicalDeviceQueueFamilyProperties(devices[d], &nf, families);
        for (uint32_t f = 0; f < nf; f++) {
            if (families[f].queueFlags & VK_QUEUE_GRAPHICS_BIT) {
                g->physical = devices[d];
                g->family = f;
                break;
            }
        }
    }
    if (!g->physical) fail("no physical device has a graphics queue");
    vkGetPhysicalDeviceProperties(g->physical, &g->props);
    vkGetPhysicalDeviceMemoryProperties(g->physical, &g->memory);
    VkPhysicalDeviceFeatures has;
    vkGetPhysicalDeviceFeatures(g->physical, &has);
    g->anisotropy = has.samplerAnisotropy == VK_TRUE;

    float priority = 1.0f;
    VkDeviceQueueCreateInfo qci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = g->family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    VkPhysicalDeviceFeatures want = { .samplerAnisotropy = has.samplerAnisotropy };
    VkDeviceCreateInfo dci = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &qci,
        .pEnabledFeatures = &want,
        .enabledExtensionCount = n_device,
        .ppEnabledExtensionNames = device_ext,
    };
    VK(vkCreateDevice(g->physical, &dci, NULL, &g->device));
    vkGetDeviceQueue(g->device, g->family, 0, &g->queue);
    VkCommandPoolCreateInfo pci = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
        .queueFamilyIndex = g->family,
    };
    VK(vkCreateCommandPool(g->device, &pci, NULL, &g->pool));
}

void gpu_close(Gpu *g)
{
    vkDestroyCommandPool(g->device, g->pool, NULL);
    vkDestroyDevice(g->device, NULL);
    vkDestroyInstance(g->instance, NULL);
}

static GpuBuffer make_buffer(Gpu *g, VkDeviceSize size, VkBufferUsageFlags usage, VkMemoryPropertyFlags props)
{
    GpuBuffer b = { .size = size };
    VkBufferCreateInfo bci = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VK(vkCreateBuffer(g->device, &bci, NULL, &b.buffer));
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(g->device, b.buffer, &req);
    b.memory = allocate(g, req, props);
    VK(vkBindBufferMemory(g->device, b.buffer, b.memory, 0));
    return b;
}

GpuBuffer gpu_host_buffer(Gpu *g, VkDeviceSize size, VkBufferUsageFlags usage)
{
    GpuBuffer b = make_buffer(g, size, usage, VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
    VK(vkMapMemory(g->device, b.memory, 0, VK_WHOLE_SIZE, 0, &b.mapped));
    return b;
}

GpuBuffer gpu_device_buffer(Gpu *g, const void *data, VkDeviceSize size, VkBufferUsageFlags usage)
{
    GpuBuffer b = make_buffer(g, size, usage | VK_BUFFER_USAGE_TRANSFER_DST_BIT, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    GpuBuffer staging = gpu_host_buffer(g, size, VK_BUFFER_USAGE_TRANSFER_SRC_BIT);
    memcpy(staging.mapped, data, size);
    VkCommandBuffer cmd = gpu_begin_once(g);
    VkBufferCopy region = { .size = size };
    vkCmdCopyBuffer(cmd, staging.buffer, b.buffer, 1, &region);
    gpu_end_once(g, cmd);
    gpu_buffer_destroy(g, &staging);
    return b;
}

void gpu_buffer_destroy(Gpu *g, GpuBuffer *b)
{
    if (b->mapped) vkUnmapMemory(g->device, b->memory);
    vkDestroyBuffer(g->device, b->buffer, NULL);
    vkFreeMemory(g->device, b->memory, NULL);
    memset(b, 0, sizeof *b);
}

GpuImage gpu_image(Gpu *g, uint32_t width, uint32_t height, VkFormat format, uint32_t levels,
                   VkImageUsageFlags usage, VkImageAspectFlags aspect)
{
    GpuImage im = { .width = width, .height = height, .levels = levels, .format = format };
    VkImageCreateInfo ici = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
        .imageType = VK_IMAGE_TYPE_2D,
        .format = format,
        .extent = { width, height, 1 },
        .mipLevels = levels,
        .arrayLayers = 1,
        .samples = VK_SAMPLE_COUNT_1_BIT,
        .tiling = VK_IMAGE_TILING_OPTIMAL,
        .usage = usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
        .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED,
    };
    VK(vkCreateImage(g->device, &ici, NULL, &im.image));
    VkMemoryRequirements req;
    vkGetImageMemoryRequirements(g->device, im.image, &req);
    im.memory = allocate(g, req, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    VK(vkBindImageMemory(g->device, im.image, im.memory, 0));
    VkImageViewCreateInfo vci = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
        .image = im.image,
        .viewType = VK_IMAGE_VIEW_TYPE_2D,
        .format = format,
        .subresourceRange = { aspect, 0, levels, 0, 1 },
    };
    VK(vkCreateImageView(g->device, &vci, NULL, &im.view));
    return im;
}

void gpu_image_destroy(Gpu *g, GpuImage *im)
{
    vkDestroyImageView(g->device, im->view, NULL);
    vkDestroyImage(g->device, im->image, NULL);
    vkFreeMemory(g->device, im->memory, NULL);
    memset(im, 0, sizeof *im);
}

VkFormatFeatureFlags gpu_optimal_features(Gpu *g, VkFormat format)
{
    VkFormatProperties p;
    vkGetPhysicalDeviceFormatProperties(g->physical, format, &p);
    return p.optimalTilingFeatures;
}

VkShaderModule gpu_shader(Gpu *g, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) fail("%s: cannot open SPIR-V file", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size <= 0 || size % 4) fail("%s: not a SPIR-V file (%ld bytes)", path, size);
    uint32_t *code = malloc((size_t)size);
    if (!code || fread(code, 1, (size_t)size, f) != (size_t)size) fail("%s: cannot read", path);
    fclose(f);
    VkShaderModuleCreateInfo sci = { .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = (size_t)size, .pCode = code };
    VkShaderModule module;
    VK(vkCreateShaderModule(g->device, &sci, NULL, &module));
    free(code);
    return module;
}

VkCommandBuffer gpu_begin_once(Gpu *g)
{
    VkCommandBufferAllocateInfo cai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = g->pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    VkCommandBuffer cmd;
    VK(vkAllocateCommandBuffers(g->device, &cai, &cmd));
    VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT };
    VK(vkBeginCommandBuffer(cmd, &begin));
    return cmd;
}

void gpu_end_once(Gpu *g, VkCommandBuffer cmd)
{
    VK(vkEndCommandBuffer(cmd));
    VkSubmitInfo submit = { .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO, .commandBufferCount = 1, .pCommandBuffers = &cmd };
    VK(vkQueueSubmit(g->queue, 1, &submit, VK_NULL_HANDLE));
    VK(vkQueueWaitIdle(g->queue));
    vkFreeCommandBuffers(g->device, g->pool, 1, &cmd);
}

/* Access mask and stage a layout implies, on either side of a transition. */
static void layout_use(VkImageLayout layout, VkAccessFlags *access, VkPipelineStageFlags *stage)
{
    switch (layout) {
    case VK_IMAGE_LAYOUT_UNDEFINED:
        *access = 0, *stage = VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT;
        break;
    case VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL:
        *access = VK_ACCESS_TRANSFER_WRITE_BIT, *stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
        break;
    case VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL:
        *access = VK_ACCESS_TRANSFER_READ_BIT, *stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
        break;
    case VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL:
        *access = VK_ACCESS_SHADER_READ_BIT, *stage = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT;
        break;
    default:
        *access = VK_ACCESS_MEMORY_READ_BIT | VK_ACCESS_MEMORY_WRITE_BIT, *stage = VK_PIPELINE_STAGE_ALL_COMMANDS_BIT;
        break;
    }
}

void gpu_transition(VkCommandBuffer cmd, VkImage image, VkImageAspectFlags aspect, VkImageLayout from,
                    VkImageLayout to, uint32_t base_level, uint32_t levels)
{
    VkImageMemoryBarrier barrier = {
        .sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
        .oldLayout = from,
        .newLayout = to,
        .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
        .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
        .image = image,
        .subresourceRange = { aspect, base_level, levels, 0, 1 },
    };
    VkPipelineStageFlags src, dst;
    layout_use(from, &barrier.srcAccessMask, &src);
    layout_use(to, &barrier.dstAccessMask, &dst);
    vkCmdPipelineBarrier(cmd, src, dst, 0, 0, NULL, 0, NULL, 1, &barrier);
}
