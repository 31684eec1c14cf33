/* The Vulkan context the C references share: one device on the first physical device with a
 * graphics queue (as scanout's Instance.selectPhysicalDevice picks it), one queue, one command
 * pool, and small helpers for buffers, images, shaders and one-off command buffers. */
#ifndef SCANOUT_REF_GPU_H
#define SCANOUT_REF_GPU_H

#include <stdint.h>
#include <vulkan/vulkan.h>

#define FRAMES_IN_FLIGHT 2

typedef struct {
    VkInstance instance;
    VkPhysicalDevice physical;
    VkPhysicalDeviceProperties props;
    VkPhysicalDeviceMemoryProperties memory;
    VkDevice device;
    VkQueue queue;
    uint32_t family;
    VkCommandPool pool;
    int anisotropy; /* samplerAnisotropy enabled on the device */
} Gpu;

typedef struct {
    VkBuffer buffer;
    VkDeviceMemory memory;
    void *mapped; /* host buffers only */
    VkDeviceSize size;
} GpuBuffer;

typedef struct {
    VkImage image;
    VkDeviceMemory memory;
    VkImageView view;
    uint32_t width, height, levels;
    VkFormat format;
} GpuImage;

void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void vk_check(VkResult r, const char *call, const char *file, int line);
#define VK(call) vk_check((call), #call, __FILE__, __LINE__)

void gpu_open(Gpu *g);
/* gpu_open with instance and device extensions enabled (the WSI reference: surface and swapchain). */
void gpu_open_with(Gpu *g, const char *const *instance_ext, uint32_t n_instance, const char *const *device_ext, uint32_t n_device);
void gpu_close(Gpu *g);
GpuBuffer gpu_host_buffer(Gpu *g, VkDeviceSize size, VkBufferUsageFlags usage);
GpuBuffer gpu_device_buffer(Gpu *g, const void *data, VkDeviceSize size, VkBufferUsageFlags usage);
void gpu_buffer_destroy(Gpu *g, GpuBuffer *b);
GpuImage gpu_image(Gpu *g, uint32_t width, uint32_t height, VkFormat format, uint32_t levels,
                   VkImageUsageFlags usage, VkImageAspectFlags aspect);
void gpu_image_destroy(Gpu *g, GpuImage *im);
VkFormatFeatureFlags gpu_optimal_features(Gpu *g, VkFormat format);
VkShaderModule gpu_shader(Gpu *g, const char *path);
VkCommandBuffer gpu_begin_once(Gpu *g);
void gpu_end_once(Gpu *g, VkCommandBuffer cmd); /* submits and waits */
void gpu_transition(VkCommandBuffer cmd, VkImage image, VkImageAspectFlags aspect, VkImageLayout from,
                    VkImageLayout to, uint32_t base_level, uint32_t levels);

#endif
