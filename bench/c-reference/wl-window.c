/* The libwayland window and shm swapchain of the shm reference (see wl-window.h). */
#define _GNU_SOURCE /* memfd_create */
#include "wl-window.h"
#include "gpu.h" /* fail() */
#include "presentation-time-client-protocol.h"
#include "xdg-shell-client-protocol.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct wl_display *wl_connect(const char *socket)
{
    struct wl_display *d = wl_display_connect(socket);
    if (!d) fail("cannot connect to the Wayland compositor at %s", socket ? socket : "$WAYLAND_DISPLAY");
    return d;
}

/* Sends everything queued. A full socket (EAGAIN: the compositor reads more slowly than an unpaced
 * client writes) means waiting until it can take more; anything else is the end of the connection. */
static void flush(struct wl_display *d)
{
    while (wl_display_flush(d) < 0) {
        if (errno != EAGAIN) fail("wl_display_flush: %s (protocol error %d)", strerror(errno), wl_display_get_error(d));
        struct pollfd p = { wl_display_get_fd(d), POLLOUT, 0 };
        if (poll(&p, 1, -1) < 0 && errno != EINTR) fail("poll on the Wayland socket: %s", strerror(errno));
    }
}

/* --- events ----------------------------------------------------------------------------- */

static void shm_format(void *data, struct wl_shm *shm, uint32_t format)
{
    (void)shm;
    if (format == WL_SHM_FORMAT_XRGB8888) ((WlWindow *)data)->has_xrgb = 1;
}
static const struct wl_shm_listener shm_listener = { shm_format };

static void ping(void *data, struct xdg_wm_base *base, uint32_t serial)
{
    (void)data;
    xdg_wm_base_pong(base, serial);
}
static const struct xdg_wm_base_listener wm_base_listener = { ping };

static void clock_id(void *data, struct wp_presentation *p, uint32_t clk)
{
    (void)p;
    ((WlWindow *)data)->clock = (clockid_t)clk;
}
static const struct wp_presentation_listener presentation_listener = { clock_id };

static void global(void *data, struct wl_registry *r, uint32_t name, const char *iface, uint32_t version)
{
    WlWindow *w = data;
    if (!strcmp(iface, wl_compositor_interface.name)) {
        w->compositor = wl_registry_bind(r, name, &wl_compositor_interface, version < 6 ? version : 6);
    } else if (!strcmp(iface, wl_shm_interface.name)) {
        w->shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
        wl_shm_add_listener(w->shm, &shm_listener, w);
    } else if (!strcmp(iface, xdg_wm_base_interface.name)) {
        w->wm_base = wl_registry_bind(r, name, &xdg_wm_base_interface, version < 6 ? version : 6);
        xdg_wm_base_add_listener(w->wm_base, &wm_base_listener, w);
    } else if (!strcmp(iface, wp_presentation_interface.name)) {
        w->presentation = wl_registry_bind(r, name, &wp_presentation_interface, 1);
        wp_presentation_add_listener(w->presentation, &presentation_listener, w);
    }
}
static void global_remove(void *data, struct wl_registry *r, uint32_t name)
{
    (void)data, (void)r, (void)name;
}
static const struct wl_registry_listener registry_listener = { global, global_remove };

static void xdg_configure(void *data, struct xdg_surface *s, uint32_t serial)
{
    (void)s;
    WlWindow *w = data;
    w->pending_serial = serial;
    w->configure_pending = w->configured = 1;
}
static const struct xdg_surface_listener xdg_surface_listener = { xdg_configure };

static void toplevel_configure(void *data, struct xdg_toplevel *t, int32_t width, int32_t height, struct wl_array *states)
{
    (void)t, (void)states;
    WlWindow *w = data;
    if ((width > 0 && (uint32_t)width != w->width) || (height > 0 && (uint32_t)height != w->height))
        fail("the compositor asked for %dx%d; the C reference draws %ux%u only", width, height, w->width, w->height);
}
static void toplevel_close(void *data, struct xdg_toplevel *t)
{
    (void)t;
    ((WlWindow *)data)->closed = 1;
}
static void toplevel_bounds(void *data, struct xdg_toplevel *t, int32_t width, int32_t height)
{
    (void)data, (void)t, (void)width, (void)height;
}
static void toplevel_capabilities(void *data, struct xdg_toplevel *t, struct wl_array *caps)
{
    (void)data, (void)t, (void)caps;
}
static const struct xdg_toplevel_listener toplevel_listener = { toplevel_configure, toplevel_close, toplevel_bounds, toplevel_capabilities };

static void buffer_release(void *data, struct wl_buffer *b)
{
    (void)b;
    ((ShmBuffer *)data)->busy = 0;
}
static const struct wl_buffer_listener buffer_listener = { buffer_release };

static void callback_done(void *data, struct wl_callback *cb, uint32_t time)
{
    (void)data, (void)time;
    wl_callback_destroy(cb);
}
static const struct wl_callback_listener frame_listener = { callback_done };

typedef struct {
    WlWindow *w;
    struct timespec committed;
} Feedback;

static void fb_sync_output(void *data, struct wp_presentation_feedback *f, struct wl_output *o)
{
    (void)data, (void)f, (void)o;
}
static void fb_presented(void *data, struct wp_presentation_feedback *f, uint32_t sec_hi, uint32_t sec_lo, uint32_t nsec,
                         uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
    (void)refresh, (void)seq_hi, (void)seq_lo, (void)flags;
    Feedback *fb = data;
    double at = (double)(((uint64_t)sec_hi << 32) | sec_lo) * 1e3 + nsec / 1e6;
    double committed = (double)fb->committed.tv_sec * 1e3 + fb->committed.tv_nsec / 1e6;
    fb->w->presented++;
    fb->w->latency_ms_sum += at - committed;
    wp_presentation_feedback_destroy(f);
    free(fb);
}
static void fb_discarded(void *data, struct wp_presentation_feedback *f)
{
    Feedback *fb = data;
    fb->w->discarded++;
    wp_presentation_feedback_destroy(f);
    free(fb);
}
static const struct wp_presentation_feedback_listener feedback_listener = { fb_sync_output, fb_presented, fb_discarded };

/* --- window ----------------------------------------------------------------------------- */

void wl_window_open(WlWindow *w, const char *socket, uint32_t width, uint32_t height, const char *title)
{
    memset(w, 0, sizeof *w);
    w->fd = -1;
    w->clock = CLOCK_MONOTONIC;
    w->width = width;
    w->height = height;
    w->display = wl_connect(socket);
    struct wl_registry *registry = wl_display_get_registry(w->display);
    wl_registry_add_listener(registry, &registry_listener, w);
    wl_display_roundtrip(w->display);
    if (!w->compositor || !w->shm || !w->wm_base) fail("the compositor lacks wl_compositor, wl_shm or xdg_wm_base");
    w->surface = wl_compositor_create_surface(w->compositor);
    w->xdg_surface = xdg_wm_base_get_xdg_surface(w->wm_base, w->surface);
    xdg_surface_add_listener(w->xdg_surface, &xdg_surface_listener, w);
    w->toplevel = xdg_surface_get_toplevel(w->xdg_surface);
    xdg_toplevel_add_listener(w->toplevel, &toplevel_listener, w);
    xdg_toplevel_set_title(w->toplevel, title);
    wl_surface_commit(w->surface);
    while (!w->configured)
        if (wl_display_roundtrip(w->display) < 0) fail("the Wayland connection failed before the first configure");
    wl_window_apply_configure(w);
    if (!w->has_xrgb) fail("the compositor does not list XRGB8888 for wl_shm");
}

void wl_window_pump(WlWindow *w, int timeout_ms)
{
    struct wl_display *d = w->display;
    while (wl_display_prepare_read(d) != 0) wl_display_dispatch_pending(d);
    flush(d);
    struct pollfd p = { wl_display_get_fd(d), POLLIN, 0 };
    if (poll(&p, 1, timeout_ms) > 0) {
        if (wl_display_read_events(d) < 0) fail("the Wayland connection failed");
    } else {
        wl_display_cancel_read(d);
    }
    if (wl_display_dispatch_pending(d) < 0) fail("the Wayland connection failed");
}

void wl_window_apply_configure(WlWindow *w)
{
    if (!w->configure_pending) return;
    xdg_surface_ack_configure(w->xdg_surface, w->pending_serial);
    w->configure_pending = 0;
}

static ShmBuffer *add_buffer(WlWindow *w)
{
    size_t stride = (size_t)w->width * 4, bytes = stride * w->height;
    size_t offset = (size_t)w->buffer_count * bytes;
    if (offset + bytes > w->memory_size) {
        size_t size = offset + bytes;
        if (w->fd < 0 && (w->fd = memfd_create("scanout-ref-shm", MFD_CLOEXEC)) < 0) fail("memfd_create failed");
        if (ftruncate(w->fd, (off_t)size) < 0) fail("ftruncate of the shm pool failed");
        if (w->memory) munmap(w->memory, w->memory_size);
        w->memory = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd, 0);
        if (w->memory == MAP_FAILED) fail("mmap of the shm pool failed");
        if (w->pool) wl_shm_pool_resize(w->pool, (int32_t)size);
        else w->pool = wl_shm_create_pool(w->shm, w->fd, (int32_t)size);
        w->memory_size = size;
    }
    ShmBuffer *b = &w->buffers[w->buffer_count++];
    b->offset = offset;
    b->buffer = wl_shm_pool_create_buffer(w->pool, (int32_t)offset, (int32_t)w->width, (int32_t)w->height, (int32_t)stride,
                                          WL_SHM_FORMAT_XRGB8888);
    wl_buffer_add_listener(b->buffer, &buffer_listener, b);
    return b;
}

ShmBuffer *wl_window_acquire_buffer(WlWindow *w)
{
    if (w->buffer_count == 0) {
        add_buffer(w); /* the pool starts with two buffers, as scanout's does */
        add_buffer(w);
    }
    for (;;) {
        for (int i = 0; i < w->buffer_count; i++)
            if (!w->buffers[i].busy) return &w->buffers[i];
        if (w->buffer_count < MAX_SHM_BUFFERS) return add_buffer(w);
        wl_window_pump(w, -1);
        if (w->closed) fail("the compositor closed the window");
    }
}

void wl_window_present(WlWindow *w, ShmBuffer *b)
{
    b->busy = 1;
    wl_surface_attach(w->surface, b->buffer, 0, 0);
    wl_surface_damage_buffer(w->surface, 0, 0, (int32_t)w->width, (int32_t)w->height);
    wl_callback_add_listener(wl_surface_frame(w->surface), &frame_listener, NULL);
    if (w->presentation) {
        Feedback *fb = malloc(sizeof *fb);
        if (!fb) fail("out of memory");
        fb->w = w;
        clock_gettime(w->clock, &fb->committed);
        wp_presentation_feedback_add_listener(wp_presentation_feedback(w->presentation, w->surface), &feedback_listener, fb);
    }
    wl_surface_commit(w->surface);
    flush(w->display);
}

void wl_window_close(WlWindow *w)
{
    for (int i = 0; i < w->buffer_count; i++) wl_buffer_destroy(w->buffers[i].buffer);
    if (w->pool) wl_shm_pool_destroy(w->pool);
    if (w->memory) munmap(w->memory, w->memory_size);
    if (w->fd >= 0) close(w->fd);
    xdg_toplevel_destroy(w->toplevel);
    xdg_surface_destroy(w->xdg_surface);
    wl_surface_destroy(w->surface);
    wl_display_roundtrip(w->display);
    wl_display_disconnect(w->display);
}
