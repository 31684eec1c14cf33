/* wayland: the C reference for scanout's Wayland client, through libwayland.
 *
 *   wayland roundtrip SOCKET [--warmup N] [--count N]
 *       wl_display.sync round trips, one after another (what Connection.roundtrip does).
 *   wayland shm SOCKET SCENE_FILE [--warmup N] [--frames N] [--capture FILE.rgba --capture-frame K]
 *       the scene rendered with Vulkan into three offscreen targets, copied by the frame's command
 *       buffer into host staging buffers, and after the frame's fence copied by the CPU into a free
 *       wl_shm buffer which is attached and committed, unpaced (only buffer releases throttle it):
 *       what scanout's wayland-shm presenter does with `paced: false`.
 *
 * stdout: <mode> frames= seconds= per_second= cpu_ms_per_frame= app_thread_cpu_ms_per_frame= max_rss_kb=
 * (for round trips, "frames" are round trips). SOCKET is a name in $XDG_RUNTIME_DIR or an absolute path.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "frames.h"
#include "wl-window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct {
    uint32_t warmup, count;
    const char *capture;
    long capture_frame;
} Options;

static Options parse(int argc, char **argv, int first)
{
    Options o = { 200, 1000, NULL, -1 };
    for (int i = first; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--warmup")) o.warmup = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--count") || !strcmp(argv[i], "--frames")) o.count = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--capture")) o.capture = argv[i + 1];
        else if (!strcmp(argv[i], "--capture-frame")) o.capture_frame = strtol(argv[i + 1], NULL, 10);
        else fail("unknown option %s", argv[i]);
    }
    if (o.count == 0) fail("the count must be at least 1");
    return o;
}

static int roundtrips(const char *socket, Options o)
{
    struct wl_display *d = wl_connect(socket);
    for (uint32_t i = 0; i < o.warmup; i++)
        if (wl_display_roundtrip(d) < 0) fail("round trip failed");
    double t0 = now_seconds(), cpu0 = cpu_seconds(RUSAGE_SELF), thread0 = cpu_seconds(RUSAGE_THREAD);
    for (uint32_t i = 0; i < o.count; i++)
        if (wl_display_roundtrip(d) < 0) fail("round trip failed");
    double seconds = now_seconds() - t0;
    print_figures("roundtrip", o.count, seconds, cpu_seconds(RUSAGE_SELF) - cpu0, cpu_seconds(RUSAGE_THREAD) - thread0);
    wl_display_disconnect(d);
    return 0;
}

/* One frame: render and submit, then (the present step) a free shm buffer, the fence, the copy, the commit. */
static void present_frame(WlWindow *w, Frames *fl, uint32_t index, double time, const Options *o)
{
    wl_window_pump(w, 0); /* releases and pings that arrived meanwhile, without waiting */
    if (w->closed) fail("the compositor closed the window");
    wl_window_apply_configure(w);
    Target *t = frames_render(fl, index, time);
    ShmBuffer *b = wl_window_acquire_buffer(w);
    VK(vkWaitForFences(fl->g->device, 1, &t->rendered, VK_TRUE, UINT64_MAX));
    size_t bytes = (size_t)w->width * w->height * 4;
    memcpy(w->memory + b->offset, t->staging.mapped, bytes);
    if (o->capture && (long)index == o->capture_frame) write_rgba(o->capture, w->memory + b->offset, w->width, w->height, w->width * 4, 0);
    wl_window_present(w, b);
}

static int shm(const char *socket, const char *scene_file, Options o)
{
    SceneFile f;
    scene_file_read(scene_file, &f);
    WlWindow w;
    wl_window_open(&w, socket, f.width, f.height, "bench");
    Gpu g;
    gpu_open(&g);
    Scene *scene = scene_create(&g, &f, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    Frames fl;
    frames_init(&fl, &g, scene, &f, 3, 1);

    for (uint32_t i = 0; i < o.warmup; i++) present_frame(&w, &fl, i, i * f.timestep, &(Options){ 0 });
    frames_settle(&fl);
    double t0 = now_seconds(), cpu0 = cpu_seconds(RUSAGE_SELF), thread0 = cpu_seconds(RUSAGE_THREAD);
    for (uint32_t i = 0; i < o.count; i++) present_frame(&w, &fl, i, (now_seconds() - t0), &o);
    frames_settle(&fl);
    double seconds = now_seconds() - t0;
    print_figures("shm", o.count, seconds, cpu_seconds(RUSAGE_SELF) - cpu0, cpu_seconds(RUSAGE_THREAD) - thread0);
    fprintf(stderr, "buffers=%d presented=%u discarded=%u present_latency_ms=%.3f\n", w.buffer_count, w.presented, w.discarded,
            w.presented ? w.latency_ms_sum / w.presented : 0.0);

    frames_destroy(&fl);
    scene->destroy(scene, &g);
    gpu_close(&g);
    wl_window_close(&w);
    scene_file_free(&f);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "roundtrip")) return roundtrips(argv[2], parse(argc, argv, 3));
    if (argc >= 4 && !strcmp(argv[1], "shm")) return shm(argv[2], argv[3], parse(argc, argv, 4));
    fail("usage: wayland roundtrip SOCKET [--warmup N] [--count N]\n"
         "       wayland shm SOCKET SCENE_FILE [--warmup N] [--frames N] [--capture FILE.rgba --capture-frame K]");
}
