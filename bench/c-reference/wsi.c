/* wsi: the C reference for scanout's swapchain: what a C Vulkan app presents with, Mesa's own WSI.
 *
 *   wsi wayland SOCKET SCENE_FILE --mode fifo|mailbox|immediate [--warmup N] [--seconds S]
 *       [--capture FILE.rgba --capture-frame K]
 *       an xdg_toplevel of our own (wl-window.c) handed to VK_KHR_wayland_surface; the scene
 *       rendered straight into the swapchain's images; vkQueuePresentKHR per frame. Before each
 *       present the app asks wp_presentation for feedback on the same wl_surface (a request into
 *       the surface's pending state, which the commit Mesa's WSI makes inside vkQueuePresentKHR
 *       applies: legal Wayland, and Mesa's WSI has no present-wait on lavapipe 25 to tell it).
 *   wsi display SCENE_FILE --mode fifo|mailbox [...]
 *       VK_KHR_display: the first display's preferred mode on a plane that can show it (KMS through
 *       Mesa, e.g. vkms in the VM). No presentation times: rate and CPU only.
 *
 * stdout: `wsi frames= seconds= per_second= cpu_ms_per_frame= app_thread_cpu_ms_per_frame= max_rss_kb=`
 * then `wsi-present images= min_images= shown= discarded= shown_per_second= latency_median_ms=
 * latency_p99_ms= on_time= refresh_ms= presents= app_thread_wakeups_per_frame= app_thread_sys_ms_per_frame=
 * minor_faults_per_frame= app_thread_minor_faults_per_frame= process_switches_per_frame= modes=` (a figure it cannot take is -1;
 * wake-ups: the app thread's voluntary context switches, each a sleep it was woken from). Exit 3 with
 * `unavailable: ...` on stderr when Mesa does not offer the mode asked for.
 * The hand-out is when vkAcquireNextImageKHR returned the image (where an app reads its input);
 * "on time" (fifo): a shown frame followed its predecessor by at most 1.5 refreshes (none missed).
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#define VK_USE_PLATFORM_WAYLAND_KHR
#include "frames.h"
#include "presentation-time-client-protocol.h"
#include "wl-window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <vulkan/vulkan_wayland.h>

enum { MAX_IMAGES = 8, HANDOUT_RING = 256 };

typedef struct {
    const char *path, *socket, *scene_file, *capture;
    VkPresentModeKHR mode;
    uint32_t warmup;
    double seconds;
    long capture_frame;
} Options;

/* Presentation feedback, per frame: hand-out time (the presentation clock) kept in a ring by index. */
typedef struct {
    double handout_ms[HANDOUT_RING];
    uint32_t first_timed; /* frames before it are warm-up: not counted */
    double *latency;
    uint32_t shown, discarded, capacity, on_time, intervals;
    double last_shown_ms, refresh_ms;
} Feedbacks;

/* Voluntary context switches of the calling thread so far: each is a sleep the thread was woken from. */
static long thread_wakeups(void)
{
    struct rusage u;
    getrusage(RUSAGE_THREAD, &u);
    return u.ru_nvcsw;
}

/* System CPU seconds of the calling thread so far (syscalls, wake-ups: the kernel's share). */
static double thread_system_seconds(void)
{
    struct rusage u;
    getrusage(RUSAGE_THREAD, &u);
    return (double)u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static Feedbacks fbs;

/* Minor page faults of the whole process (RUSAGE_SELF) or the calling thread (RUSAGE_THREAD) so far. */
static long minor_faults(int who)
{
    struct rusage u;
    getrusage(who, &u);
    return u.ru_minflt;
}

/* Context switches of the whole process so far, voluntary and not (every thread's). */
static long process_switches(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_nvcsw + u.ru_nivcsw;
}

static double clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void fb_sync_output(void *data, struct wp_presentation_feedback *f, struct wl_output *o)
{
    (void)data, (void)f, (void)o;
}

static void fb_presented(void *data, struct wp_presentation_feedback *f, uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec,
                         uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
    (void)seq_hi, (void)seq_lo, (void)flags;
    uint32_t index = (uint32_t)(uintptr_t)data;
    wp_presentation_feedback_destroy(f);
    double at = (double)(((uint64_t)sec_hi << 32) | sec_lo) * 1e3 + nsec / 1e6;
    if (refresh) fbs.refresh_ms = refresh / 1e6;
    if (index >= fbs.first_timed) {
        if (fbs.shown == fbs.capacity) {
            fbs.capacity = fbs.capacity ? 2 * fbs.capacity : 4096;
            fbs.latency = realloc(fbs.latency, fbs.capacity * sizeof *fbs.latency);
            if (!fbs.latency) fail("out of memory");
        }
        fbs.latency[fbs.shown++] = at - fbs.handout_ms[index % HANDOUT_RING];
        if (fbs.last_shown_ms > 0 && fbs.refresh_ms > 0) {
            fbs.intervals++;
            if (at - fbs.last_shown_ms <= 1.5 * fbs.refresh_ms) fbs.on_time++;
        }
    }
    fbs.last_shown_ms = at;
}

static void fb_discarded(void *data, struct wp_presentation_feedback *f)
{
    if ((uint32_t)(uintptr_t)data >= fbs.first_timed) fbs.discarded++;
    wp_presentation_feedback_destroy(f);
}

static const struct wp_presentation_feedback_listener feedback_listener = { fb_sync_output, fb_presented, fb_discarded };

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(double *xs, uint32_t n, double p)
{
    if (!n) return -1;
    qsort(xs, n, sizeof *xs, by_value);
    uint32_t i = (uint32_t)(p / 100 * n);
    return xs[i < n ? i : n - 1];
}

static const char *mode_name(VkPresentModeKHR m)
{
    switch (m) {
    case VK_PRESENT_MODE_FIFO_KHR: return "fifo";
    case VK_PRESENT_MODE_MAILBOX_KHR: return "mailbox";
    case VK_PRESENT_MODE_IMMEDIATE_KHR: return "immediate";
    case VK_PRESENT_MODE_FIFO_RELAXED_KHR: return "fifo_relaxed";
    default: return "other";
    }
}

static Options parse(int argc, char **argv)
{
    Options o = { .warmup = 120, .seconds = 5, .capture_frame = -1, .mode = VK_PRESENT_MODE_FIFO_KHR };
    int i = 1;
    if (argc < 3) goto usage;
    o.path = argv[i++];
    if (!strcmp(o.path, "wayland")) {
        if (argc < 4) goto usage;
        o.socket = argv[i++];
    } else if (strcmp(o.path, "display")) {
        goto usage;
    }
    o.scene_file = argv[i++];
    for (; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--warmup")) o.warmup = (uint32_t)strtoul(v, NULL, 10);
        else if (!strcmp(k, "--seconds")) o.seconds = strtod(v, NULL);
        else if (!strcmp(k, "--capture")) o.capture = v;
        else if (!strcmp(k, "--capture-frame")) o.capture_frame = strtol(v, NULL, 10);
        else if (!strcmp(k, "--mode")) {
            if (!strcmp(v, "fifo")) o.mode = VK_PRESENT_MODE_FIFO_KHR;
            else if (!strcmp(v, "mailbox")) o.mode = VK_PRESENT_MODE_MAILBOX_KHR;
            else if (!strcmp(v, "immediate")) o.mode = VK_PRESENT_MODE_IMMEDIATE_KHR;
            else fail("--mode %s: fifo, mailbox or immediate", v);
        } else fail("unknown option %s", k);
    }
    if (i != argc) fail("option %s has no value", argv[i]);
    return o;
usage:
    fail("usage: wsi wayland SOCKET SCENE_FILE --mode fifo|mailbox|immediate [--warmup N] [--seconds S] [--capture FILE --capture-frame K]\n"
         "       wsi display SCENE_FILE --mode fifo|mailbox [...]");
}

/* The first display's preferred (else first) mode on the first plane that can show it. */
static VkSurfaceKHR display_surface(Gpu *g, VkExtent2D *extent)
{
    uint32_t n = 1;
    VkDisplayPropertiesKHR display;
    VkResult r = vkGetPhysicalDeviceDisplayPropertiesKHR(g->physical, &n, &display);
    if ((r != VK_SUCCESS && r != VK_INCOMPLETE) || n == 0) {
        fprintf(stderr, "unavailable: VK_KHR_display lists no display (VkResult %d)\n", (int)r);
        exit(3);
    }
    VkDisplayModePropertiesKHR modes[32];
    uint32_t nm = 32;
    r = vkGetDisplayModePropertiesKHR(g->physical, display.display, &nm, modes);
    if (r != VK_INCOMPLETE) VK(r);
    if (!nm) fail("display %s has no modes", display.displayName ? display.displayName : "?");
    VkDisplayModePropertiesKHR *mode = &modes[0];
    for (uint32_t i = 0; i < nm; i++)
        if (modes[i].parameters.visibleRegion.width == display.physicalResolution.width &&
            modes[i].parameters.visibleRegion.height == display.physicalResolution.height) {
            mode = &modes[i];
            break;
        }
    uint32_t np = 0;
    VK(vkGetPhysicalDeviceDisplayPlanePropertiesKHR(g->physical, &np, NULL));
    uint32_t plane = UINT32_MAX;
    for (uint32_t p = 0; p < np && plane == UINT32_MAX; p++) {
        VkDisplayKHR ds[16];
        uint32_t nd = 16;
        vkGetDisplayPlaneSupportedDisplaysKHR(g->physical, p, &nd, ds);
        for (uint32_t d = 0; d < nd; d++)
            if (ds[d] == display.display) plane = p;
    }
    if (plane == UINT32_MAX) fail("no plane can show display %s", display.displayName ? display.displayName : "?");
    *extent = mode->parameters.visibleRegion;
    VkDisplaySurfaceCreateInfoKHR sci = {
        .sType = VK_STRUCTURE_TYPE_DISPLAY_SURFACE_CREATE_INFO_KHR,
        .displayMode = mode->displayMode,
        .planeIndex = plane,
        .transform = VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR,
        .alphaMode = VK_DISPLAY_PLANE_ALPHA_OPAQUE_BIT_KHR,
        .imageExtent = *extent,
    };
    VkSurfaceKHR surface;
    VK(vkCreateDisplayPlaneSurfaceKHR(g->instance, &sci, NULL, &surface));
    fprintf(stderr, "display %s, mode %ux%u@%.2f Hz, plane %u\n", display.displayName ? display.displayName : "?", extent->width,
            extent->height, mode->parameters.refreshRate / 1000.0, plane);
    return surface;
}

typedef struct {
    VkSwapchainKHR chain;
    uint32_t count, min_images;
    VkImage images[MAX_IMAGES];
    VkImageView views[MAX_IMAGES];
    VkFramebuffer framebuffers[MAX_IMAGES];
    VkSemaphore rendered[MAX_IMAGES];
    char modes[64];
} Swapchain;

static void make_swapchain(Gpu *g, VkSurfaceKHR surface, const SceneFile *f, Scene *scene, VkPresentModeKHR mode, Swapchain *sc)
{
    VkBool32 supported = VK_FALSE;
    VK(vkGetPhysicalDeviceSurfaceSupportKHR(g->physical, g->family, surface, &supported));
    if (!supported) fail("queue family %u cannot present to this surface", g->family);
    VkPresentModeKHR modes[8];
    uint32_t nm = 8;
    VK(vkGetPhysicalDeviceSurfacePresentModesKHR(g->physical, surface, &nm, modes));
    int offered = 0;
    sc->modes[0] = 0;
    for (uint32_t i = 0; i < nm; i++) {
        offered |= modes[i] == mode;
        strncat(sc->modes, mode_name(modes[i]), sizeof sc->modes - strlen(sc->modes) - 2);
        if (i + 1 < nm) strcat(sc->modes, ",");
    }
    if (!offered) {
        fprintf(stderr, "unavailable: Mesa's WSI does not offer %s here (offers %s)\n", mode_name(mode), sc->modes);
        exit(3);
    }
    VkSurfaceFormatKHR formats[32];
    uint32_t nf = 32;
    VK(vkGetPhysicalDeviceSurfaceFormatsKHR(g->physical, surface, &nf, formats));
    int format_ok = 0;
    for (uint32_t i = 0; i < nf; i++) format_ok |= formats[i].format == f->color_format;
    if (!format_ok) fail("the surface does not offer the scene's format %d", (int)f->color_format);
    VkSurfaceCapabilitiesKHR caps;
    VK(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(g->physical, surface, &caps));
    /* what a C app asks for: one image more than the minimum in fifo, two in mailbox/immediate (one
     * shown, one queued, one rendering, one to acquire), within the surface's limits */
    uint32_t want = caps.minImageCount + (mode == VK_PRESENT_MODE_FIFO_KHR ? 1 : 2);
    if (caps.maxImageCount && want > caps.maxImageCount) want = caps.maxImageCount;
    if (want > MAX_IMAGES) want = MAX_IMAGES;
    sc->min_images = caps.minImageCount;
    VkCompositeAlphaFlagBitsKHR alpha = (caps.supportedCompositeAlpha & VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR)
                                            ? VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR
                                            : (VkCompositeAlphaFlagBitsKHR)(caps.supportedCompositeAlpha & -caps.supportedCompositeAlpha);
    VkSwapchainCreateInfoKHR sci = {
        .sType = VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR,
        .surface = surface,
        .minImageCount = want,
        .imageFormat = f->color_format,
        .imageColorSpace = VK_COLOR_SPACE_SRGB_NONLINEAR_KHR,
        .imageExtent = { f->width, f->height },
        .imageArrayLayers = 1,
        .imageUsage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT),
        .imageSharingMode = VK_SHARING_MODE_EXCLUSIVE,
        .preTransform = VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR,
        .compositeAlpha = alpha,
        .presentMode = mode,
        .clipped = VK_TRUE,
    };
    VK(vkCreateSwapchainKHR(g->device, &sci, NULL, &sc->chain));
    sc->count = MAX_IMAGES;
    VK(vkGetSwapchainImagesKHR(g->device, sc->chain, &sc->count, sc->images));
    VkSemaphoreCreateInfo semi = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
    for (uint32_t i = 0; i < sc->count; i++) {
        VkImageViewCreateInfo vci = {
            .sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
            .image = sc->images[i],
            .viewType = VK_IMAGE_VIEW_TYPE_2D,
            .format = f->color_format,
            .subresourceRange = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1 },
        };
        VK(vkCreateImageView(g->device, &vci, NULL, &sc->views[i]));
        VkImageView views[2] = { sc->views[i], scene->depth_view };
        VkFramebufferCreateInfo fci = {
            .sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO,
            .renderPass = scene->render_pass,
            .attachmentCount = scene->depth_view ? 2 : 1,
            .pAttachments = views,
            .width = f->width,
            .height = f->height,
            .layers = 1,
        };
        VK(vkCreateFramebuffer(g->device, &fci, NULL, &sc->framebuffers[i]));
        VK(vkCreateSemaphore(g->device, &semi, NULL, &sc->rendered[i]));
    }
}

static void destroy_swapchain(Gpu *g, Swapchain *sc)
{
    for (uint32_t i = 0; i < sc->count; i++) {
        vkDestroyFramebuffer(g->device, sc->framebuffers[i], NULL);
        vkDestroyImageView(g->device, sc->views[i], NULL);
        vkDestroySemaphore(g->device, sc->rendered[i], NULL);
    }
    vkDestroySwapchainKHR(g->device, sc->chain, NULL);
}

/* The frame's image, copied (between layout changes) into `readback` after the scene. */
static void record_capture(VkCommandBuffer cmd, VkImage image, GpuBuffer *readback, uint32_t width, uint32_t height)
{
    gpu_transition(cmd, image, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, 0, 1);
    VkBufferImageCopy region = { .imageSubresource = { VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1 }, .imageExtent = { width, height, 1 } };
    vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, readback->buffer, 1, &region);
    gpu_transition(cmd, image, VK_IMAGE_ASPECT_COLOR_BIT, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, 0, 1);
}

int main(int argc, char **argv)
{
    Options o = parse(argc, argv);
    int wayland = !strcmp(o.path, "wayland");
    SceneFile f;
    scene_file_read(o.scene_file, &f);
    WlWindow w;
    memset(&w, 0, sizeof w);
    if (wayland) wl_window_open(&w, o.socket, f.width, f.height, "bench");

    const char *wl_ext[] = { VK_KHR_SURFACE_EXTENSION_NAME, VK_KHR_WAYLAND_SURFACE_EXTENSION_NAME };
    const char *kms_ext[] = { VK_KHR_SURFACE_EXTENSION_NAME, VK_KHR_DISPLAY_EXTENSION_NAME };
    const char *dev_ext[] = { VK_KHR_SWAPCHAIN_EXTENSION_NAME };
    Gpu g;
    gpu_open_with(&g, wayland ? wl_ext : kms_ext, 2, dev_ext, 1);
    VkSurfaceKHR surface;
    if (wayland) {
        VkWaylandSurfaceCreateInfoKHR sci = { .sType = VK_STRUCTURE_TYPE_WAYLAND_SURFACE_CREATE_INFO_KHR, .display = w.display, .surface = w.surface };
        VK(vkCreateWaylandSurfaceKHR(g.instance, &sci, NULL, &surface));
    } else {
        VkExtent2D extent;
        surface = display_surface(&g, &extent);
        if (extent.width != f.width || extent.height != f.height)
            fail("the display's mode is %ux%u; the scene file was written for %ux%u", extent.width, extent.height, f.width, f.height);
    }
    Scene *scene = scene_create(&g, &f, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR);
    Swapchain sc;
    make_swapchain(&g, surface, &f, scene, o.mode, &sc);

    VkSemaphore acquired[FRAMES_IN_FLIGHT];
    VkCommandBuffer cmds[FRAMES_IN_FLIGHT];
    VkFence fences[FRAMES_IN_FLIGHT];
    VkSemaphoreCreateInfo semi = { .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO };
    VkFenceCreateInfo signaled = { .sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO, .flags = VK_FENCE_CREATE_SIGNALED_BIT };
    VkCommandBufferAllocateInfo cai = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO, .commandPool = g.pool, .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY, .commandBufferCount = 1
    };
    for (int s = 0; s < FRAMES_IN_FLIGHT; s++) {
        VK(vkCreateSemaphore(g.device, &semi, NULL, &acquired[s]));
        VK(vkCreateFence(g.device, &signaled, NULL, &fences[s]));
        VK(vkAllocateCommandBuffers(g.device, &cai, &cmds[s]));
    }
    GpuBuffer readback = { 0 };
    if (o.capture) readback = gpu_host_buffer(&g, (VkDeviceSize)f.width * f.height * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT);

    fbs.first_timed = o.warmup;
    clockid_t clock = wayland ? w.clock : CLOCK_MONOTONIC;
    uint32_t presents = 0, timed = 0;
    double t0 = 0, cpu0 = 0, thread0 = 0;
    long wakes0 = 0; /* the app thread's voluntary context switches: how often it slept and was woken */
    double sys0 = 0;  /* the app thread's system CPU time */
    long minflt0 = 0, thread_minflt0 = 0, switches0 = 0;
    for (uint32_t index = 0;; index++) {
        if (index == o.warmup) t0 = now_seconds(), cpu0 = cpu_seconds(RUSAGE_SELF), thread0 = cpu_seconds(RUSAGE_THREAD), wakes0 = thread_wakeups(), sys0 = thread_system_seconds(),
            minflt0 = minor_faults(RUSAGE_SELF), thread_minflt0 = minor_faults(RUSAGE_THREAD), switches0 = process_switches();
        if (index >= o.warmup && (now_seconds() - t0 >= o.seconds || (o.capture && (long)index > o.capture_frame))) break;
        if (wayland) {
            wl_window_pump(&w, 0); /* feedback and pings that arrived meanwhile, without waiting */
            if (w.closed) fail("the compositor closed the window");
            wl_window_apply_configure(&w);
        }
        uint32_t s = index % FRAMES_IN_FLIGHT;
        VK(vkWaitForFences(g.device, 1, &fences[s], VK_TRUE, UINT64_MAX));
        uint32_t image;
        VkResult r = vkAcquireNextImageKHR(g.device, sc.chain, UINT64_MAX, acquired[s], VK_NULL_HANDLE, &image);
        if (r != VK_SUCCESS && r != VK_SUBOPTIMAL_KHR) vk_check(r, "vkAcquireNextImageKHR", __FILE__, __LINE__);
        fbs.handout_ms[index % HANDOUT_RING] = clock_ms(clock);
        VkCommandBuffer cmd = cmds[s];
        VkCommandBufferBeginInfo begin = { .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO, .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT };
        VK(vkBeginCommandBuffer(cmd, &begin));
        scene->update(scene, s, index, index * f.timestep, f.width, f.height);
        scene->record(scene, cmd, s, sc.framebuffers[image], f.width, f.height);
        int capturing = o.capture && (long)index == o.capture_frame;
        if (capturing) record_capture(cmd, sc.images[image], &readback, f.width, f.height);
        VK(vkEndCommandBuffer(cmd));
        VK(vkResetFences(g.device, 1, &fences[s]));
        VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
        VkSubmitInfo submit = {
            .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
            .waitSemaphoreCount = 1,
            .pWaitSemaphores = &acquired[s],
            .pWaitDstStageMask = &wait_stage,
            .commandBufferCount = 1,
            .pCommandBuffers = &cmd,
            .signalSemaphoreCount = 1,
            .pSignalSemaphores = &sc.rendered[image],
        };
        VK(vkQueueSubmit(g.queue, 1, &submit, fences[s]));
        if (wayland && w.presentation)
            wp_presentation_feedback_add_listener(wp_presentation_feedback(w.presentation, w.surface), &feedback_listener, (void *)(uintptr_t)index);
        VkPresentInfoKHR present = {
            .sType = VK_STRUCTURE_TYPE_PRESENT_INFO_KHR,
            .waitSemaphoreCount = 1,
            .pWaitSemaphores = &sc.rendered[image],
            .swapchainCount = 1,
            .pSwapchains = &sc.chain,
            .pImageIndices = &image,
        };
        r = vkQueuePresentKHR(g.queue, &present);
        if (r != VK_SUCCESS && r != VK_SUBOPTIMAL_KHR) vk_check(r, "vkQueuePresentKHR", __FILE__, __LINE__);
        presents++;
        if (index >= o.warmup) timed++;
        if (capturing) {
            VK(vkWaitForFences(g.device, 1, &fences[s], VK_TRUE, UINT64_MAX));
            write_rgba(o.capture, readback.mapped, f.width, f.height, f.width * 4, 0);
        }
    }
    VK(vkQueueWaitIdle(g.queue));
    double seconds = now_seconds() - t0;
    long wakes = thread_wakeups() - wakes0;
    double sys = thread_system_seconds() - sys0;
    long minflt = minor_faults(RUSAGE_SELF) - minflt0, thread_minflt = minor_faults(RUSAGE_THREAD) - thread_minflt0, switches = process_switches() - switches0;
    print_figures("wsi", timed, seconds, cpu_seconds(RUSAGE_SELF) - cpu0, cpu_seconds(RUSAGE_THREAD) - thread0);
    if (wayland) /* the last frames' feedback (after the figures: it is not part of the run) */
        for (double until = now_seconds() + 0.3; now_seconds() < until;) wl_window_pump(&w, 20);
    double median = percentile(fbs.latency, fbs.shown, 50), p99 = percentile(fbs.latency, fbs.shown, 99);
    printf("wsi-present images=%u min_images=%u shown=%u discarded=%u shown_per_second=%.2f latency_median_ms=%.3f latency_p99_ms=%.3f "
           "on_time=%.4f refresh_ms=%.3f presents=%u app_thread_wakeups_per_frame=%.3f app_thread_sys_ms_per_frame=%.4f "
           "minor_faults_per_frame=%.3f app_thread_minor_faults_per_frame=%.3f process_switches_per_frame=%.3f modes=%s\n",
           sc.count, sc.min_images, fbs.shown, fbs.discarded, wayland ? fbs.shown / seconds : -1, median, p99,
           fbs.intervals ? (double)fbs.on_time / fbs.intervals : -1, fbs.refresh_ms > 0 ? fbs.refresh_ms : -1, presents,
           timed ? (double)wakes / timed : -1, timed ? sys * 1e3 / timed : -1,
           timed ? (double)minflt / timed : -1, timed ? (double)thread_minflt / timed : -1, timed ? (double)switches / timed : -1, sc.modes);
    fflush(stdout);

    for (int s = 0; s < FRAMES_IN_FLIGHT; s++) {
        vkDestroySemaphore(g.device, acquired[s], NULL);
        vkDestroyFence(g.device, fences[s], NULL);
        vkFreeCommandBuffers(g.device, g.pool, 1, &cmds[s]);
    }
    if (readback.buffer) gpu_buffer_destroy(&g, &readback);
    destroy_swapchain(&g, &sc);
    scene->destroy(scene, &g);
    vkDestroySurfaceKHR(g.instance, surface, NULL);
    gpu_close(&g);
    if (wayland) wl_window_close(&w);
    free(fbs.latency);
    scene_file_free(&f);
    return 0;
}
