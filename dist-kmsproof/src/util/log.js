const order = { debug: 0, info: 1, warn: 2, error: 3 };
const stderrSink = ({ level, source, message }) => {
    process.stderr.write(`[${source}] ${level}: ${message}\n`);
};
let sinks = [stderrSink];
let threshold = process.env.SCANOUT_LOG ?? "warn";
const debugSources = new Set((process.env.SCANOUT_DEBUG ?? "").split(",").filter(Boolean));
export function setLogLevel(level) {
    threshold = level;
}
/** Adds a sink (tests collect records); returns a function that removes it. */
export function addLogSink(sink) {
    sinks.push(sink);
    return () => {
        sinks = sinks.filter((s) => s !== sink);
    };
}
export function enabled(level, source) {
    return order[level] >= order[threshold] || (level === "debug" && debugSources.has(source));
}
export function log(level, source, message) {
    if (!enabled(level, source) && level !== "error") {
        // sinks other than stderr (test collectors) still see warnings and errors
        if (order[level] < order.warn)
            return;
        for (const sink of sinks)
            if (sink !== stderrSink)
                sink({ level, source, message });
        return;
    }
    for (const sink of sinks)
        sink({ level, source, message });
}
export const logger = (source) => ({
    debug: (m) => log("debug", source, m),
    info: (m) => log("info", source, m),
    warn: (m) => log("warn", source, m),
    error: (m) => log("error", source, m),
});
//# sourceMappingURL=log.js.map