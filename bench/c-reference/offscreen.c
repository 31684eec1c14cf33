/* offscreen: the C reference for scanout's headless rendering. Draws the scene a scene file
 * describes (bench/scene-file.ts writes it) into two offscreen targets with two frames in flight,
 * as scanout's headless presenter does: a warm-up run, then a timed run (frame indices and times
 * restart at 0 for each run, like a new frames() loop), then optionally writes the last frame.
 *
 * usage: offscreen SCENE_FILE [--warmup N] [--frames N] [--capture FILE.rgba]
 * stdout: offscreen frames= seconds= per_second= cpu_ms_per_frame= app_thread_cpu_ms_per_frame= max_rss_kb=
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "frames.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static Target *run(Frames *fl, const SceneFile *f, uint32_t frames)
{
    Target *last = NULL;
    for (uint32_t i = 0; i < frames; i++) last = frames_render(fl, i, i * f->timestep);
    frames_settle(fl);
    return last;
}

int main(int argc, char **argv)
{
    if (argc < 2) fail("usage: offscreen SCENE_FILE [--warmup N] [--frames N] [--capture FILE.rgba]");
    uint32_t warmup = 0, frames = 100;
    const char *capture = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--warmup")) warmup = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--frames")) frames = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--capture")) capture = argv[i + 1];
        else fail("unknown option %s", argv[i]);
    }
    if (frames == 0) fail("--frames must be at least 1");
    SceneFile f;
    scene_file_read(argv[1], &f);
    Gpu g;
    gpu_open(&g);
    Scene *scene = scene_create(&g, &f, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
    Frames fl;
    frames_init(&fl, &g, scene, &f, 2, 0);

    run(&fl, &f, warmup);
    double t0 = now_seconds(), cpu0 = cpu_seconds(RUSAGE_SELF), thread0 = cpu_seconds(RUSAGE_THREAD);
    Target *last = run(&fl, &f, frames);
    double seconds = now_seconds() - t0;
    print_figures("offscreen", frames, seconds, cpu_seconds(RUSAGE_SELF) - cpu0, cpu_seconds(RUSAGE_THREAD) - thread0);

    if (capture) {
        uint8_t *pixels = malloc((size_t)f.width * f.height * 4);
        if (!pixels) fail("out of memory");
        frames_read_target(&fl, last, pixels);
        write_rgba(capture, pixels, f.width, f.height, f.width * 4, 0);
        free(pixels);
    }
    frames_destroy(&fl);
    scene->destroy(scene, &g);
    gpu_close(&g);
    scene_file_free(&f);
    return 0;
}
