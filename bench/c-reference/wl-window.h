/* A libwayland window for the shm reference, shaped like scanout's WaylandWindow and
 * ShmSwapchain: an xdg_toplevel acked lazily, wp_presentation feedback when offered, a frame
 * callback with every commit, and wl_shm buffers in one memfd pool that starts with two buffers
 * and grows to four only when every buffer is held by the compositor. */
#ifndef SCANOUT_REF_WL_WINDOW_H
#define SCANOUT_REF_WL_WINDOW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <wayland-client.h>

enum { MAX_SHM_BUFFERS = 4 };

typedef struct {
    struct wl_buffer *buffer;
    size_t offset;
    int busy; /* attached and not yet released */
} ShmBuffer;

typedef struct {
    struct wl_display *display;
    struct wl_compositor *compositor;
    struct wl_shm *shm;
    struct xdg_wm_base *wm_base;
    struct wp_presentation *presentation;
    clockid_t clock;
    struct wl_surface *surface;
    struct xdg_surface *xdg_surface;
    struct xdg_toplevel *toplevel;
    uint32_t width, height;
    int configured, configure_pending, closed;
    uint32_t pending_serial;
    int has_xrgb;
    /* the shm swapchain */
    int fd;
    uint8_t *memory;
    size_t memory_size;
    struct wl_shm_pool *pool;
    ShmBuffer buffers[MAX_SHM_BUFFERS];
    int buffer_count;
    /* presentation feedback */
    uint32_t presented, discarded;
    double latency_ms_sum;
} WlWindow;

/* Connects to `socket` (a name or an absolute path) and binds nothing. */
struct wl_display *wl_connect(const char *socket);
/* Opens a window of the given size and waits for its first configure. */
void wl_window_open(WlWindow *w, const char *socket, uint32_t width, uint32_t height, const char *title);
/* Reads and dispatches what the compositor sent; waits up to timeout_ms (-1: until something came). */
void wl_window_pump(WlWindow *w, int timeout_ms);
/* Acks a pending configure (a size change is refused: the reference draws one size). */
void wl_window_apply_configure(WlWindow *w);
/* A buffer the compositor does not hold: a free one, a new one while fewer than four, else waits. */
ShmBuffer *wl_window_acquire_buffer(WlWindow *w);
/* Attaches, damages, asks for a frame callback (and presentation feedback), commits, flushes. */
void wl_window_present(WlWindow *w, ShmBuffer *b);
void wl_window_close(WlWindow *w);

#endif
