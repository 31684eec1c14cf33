// The DRM node the timeline syncobj tests run on, shared by the kernel-level and drm-syncobj tests.
import { DrmDevice, listDevices, timelineSupported } from "../../src/drm/index.js";

/** The first node (render nodes first) whose driver has timeline syncobjs (virtio-gpu: yes; vkms: none). */
export function findTimelineNode(): string | undefined {
  for (const d of listDevices()) {
    for (const node of [d.render, d.primary]) {
      if (!node) continue;
      const dev = DrmDevice.open(node, { atomic: false });
      try {
        if (timelineSupported(dev)) return node;
      } finally {
        dev.close();
      }
    }
  }
  return undefined;
}
