/* The frame loop the C references share, shaped like scanout's FrameLoop: two in-flight slots
 * (command buffer + fence), a ring of offscreen targets, and per frame: wait for the slot, take
 * the next target, update and record the scene (plus a copy into the target's staging buffer
 * when presenting through shm), submit. Also the figures every program prints. */
#ifndef SCANOUT_REF_FRAMES_H
#define SCANOUT_REF_FRAMES_H

#include "scene.h"

enum { MAX_TARGETS = 4 };

typedef struct {
    GpuImage image;
    VkFramebuffer framebuffer;
    GpuBuffer staging; /* host copy of the frame (shm presentation only) */
    VkFence rendered; /* the fence of the frame that last rendered here */
} Target;

typedef struct {
    Gpu *g;
    Scene *scene;
    uint32_t width, height;
    struct {
        VkCommandBuffer cmd;
        VkFence fence;
        int in_flight;
    } slots[FRAMES_IN_FLIGHT];
    Target targets[MAX_TARGETS];
    uint32_t target_count, next;
} Frames;

void frames_init(Frames *fl, Gpu *g, Scene *scene, const SceneFile *f, uint32_t targets, int staging);
/* Renders frame `index` and submits it; returns the target it renders into. */
Target *frames_render(Frames *fl, uint32_t index, double time);
/* Waits until the GPU has finished every frame submitted. */
void frames_settle(Frames *fl);
void frames_destroy(Frames *fl);
/* Reads a target back (after frames_settle) into tightly packed BGRA bytes. */
void frames_read_target(Frames *fl, Target *t, uint8_t *bgra);

/* Figures */
double now_seconds(void);
double cpu_seconds(int who); /* RUSAGE_SELF or RUSAGE_THREAD */
void print_figures(const char *what, uint32_t frames, double seconds, double cpu, double thread_cpu);
/* BGRA/BGRX rows (stride bytes apart) to a raw RGBA file; alpha forced opaque when `opaque`. */
void write_rgba(const char *path, const uint8_t *bgra, uint32_t width, uint32_t height, uint32_t stride, int opaque);

#endif
