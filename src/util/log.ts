// One small logger with levels and sources. SCANOUT_LOG=debug|info|warn|error sets the level;
// SCANOUT_DEBUG=wayland,drm turns on debug output for those sources only.
export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogSource = "vk" | "validation" | "wayland" | "drm" | "present" | "demo" | "sys";

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface LogRecord {
  level: LogLevel;
  source: LogSource;
  message: string;
}
export type LogSink = (record: LogRecord) => void;

const stderrSink: LogSink = ({ level, source, message }) => {
  process.stderr.write(`[${source}] ${level}: ${message}\n`);
};

let sinks: LogSink[] = [stderrSink];
let threshold: LogLevel = (process.env.SCANOUT_LOG as LogLevel | undefined) ?? "warn";
const debugSources = new Set((process.env.SCANOUT_DEBUG ?? "").split(",").filter(Boolean));

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Adds a sink (tests collect records); returns a function that removes it. */
export function addLogSink(sink: LogSink): () => void {
  sinks.push(sink);
  return () => {
    sinks = sinks.filter((s) => s !== sink);
  };
}

export function enabled(level: LogLevel, source: LogSource): boolean {
  return order[level] >= order[threshold] || (level === "debug" && debugSources.has(source));
}

export function log(level: LogLevel, source: LogSource, message: string): void {
  if (!enabled(level, source) && level !== "error") {
    // sinks other than stderr (test collectors) still see warnings and errors
    if (order[level] < order.warn) return;
    for (const sink of sinks) if (sink !== stderrSink) sink({ level, source, message });
    return;
  }
  for (const sink of sinks) sink({ level, source, message });
}

export const logger = (source: LogSource) => ({
  debug: (m: string) => log("debug", source, m),
  info: (m: string) => log("info", source, m),
  warn: (m: string) => log("warn", source, m),
  error: (m: string) => log("error", source, m),
});
