// Counts bytes allocated on the JS heap over a stretch of code, GCs included: what was freed by
// each collection plus the growth of the used heap (v8.GCProfiler reports both sides of every GC).
import v8 from "node:v8";
export async function measureAllocation(fn) {
    const profiler = new v8.GCProfiler();
    const before = v8.getHeapStatistics().used_heap_size;
    profiler.start();
    const result = await fn();
    const after = v8.getHeapStatistics().used_heap_size;
    const stats = (profiler.stop()?.statistics ?? []);
    const freed = stats.reduce((sum, s) => sum + (s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize), 0);
    return { result, bytes: after - before + freed, gcs: stats.length };
}
//# sourceMappingURL=heap.js.map