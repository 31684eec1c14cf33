// CPU time of the calling thread alone (getrusage RUSAGE_THREAD): the application's own share,
// without the driver's worker threads that process.cpuUsage() includes.
import { koffi, libc } from "./libc.js";
const timeval = koffi.struct("scanout_timeval", { tv_sec: "long", tv_usec: "long" });
const rusage = koffi.struct("scanout_rusage", {
    ru_utime: timeval,
    ru_stime: timeval,
    rest: koffi.array("long", 14),
});
const getrusage = libc.func("int getrusage(int who, _Out_ scanout_rusage *usage)");
const RUSAGE_THREAD = 1;
/** Microseconds of user + system CPU used by this thread so far. */
export function threadCpuMicros() {
    const out = {
        ru_utime: { tv_sec: 0, tv_usec: 0 },
        ru_stime: { tv_sec: 0, tv_usec: 0 },
    };
    if (getrusage(RUSAGE_THREAD, out) !== 0)
        return NaN;
    return (out.ru_utime.tv_sec + out.ru_stime.tv_sec) * 1e6 + out.ru_utime.tv_usec + out.ru_stime.tv_usec;
}
//# sourceMappingURL=rusage.js.map