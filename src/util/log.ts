// One small logger with levels and sources. SCANOUT_LOG=debug|info|warn|error sets the level;
// SCANOUT_DEBUG=wayland,drm turns on debug output for those sources only.
/** Severity of a log record. Records below the threshold (setLogLevel, or SCANOUT_LOG; default "warn") are dropped, except debug records of sources named in SCANOUT_DEBUG. */
export type LogLevel = "debug" | "info" | "warn" | "error";
/** The part of the library a log record comes from, printed as "[source]"; SCANOUT_DEBUG=wayland,drm turns on debug records for those sources only. */
export type LogSource = "vk" | "validation" | "wayland" | "drm" | "present" | "input" | "demo" | "sys";

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One log message as sinks receive it. */
export interface LogRecord {
  level: LogLevel;
  source: LogSource;
  message: string;
}
/** Receives log records (see addLogSink); must not throw. */
export type LogSink = (record: LogRecord) => void;

const stderrSink: LogSink = ({ level, source, message }) => {
  process.stderr.write(`[${source}] ${level}: ${message}\n`);
};

let sinks: LogSink[] = [stderrSink];
let threshold: LogLevel = (process.env.SCANOUT_LOG as LogLevel | undefined) ?? "warn";
const debugSources = new Set((process.env.SCANOUT_DEBUG ?? "").split(",").filter(Boolean));

/** Sets the lowest level written to stderr for every source (overrides SCANOUT_LOG). Sinks added with addLogSink also get warnings and errors below it. */
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

/** A logger for one source: debug/info/warn/error each take a message and send it to the sinks (stderr as "[source] level: message") when the level is enabled. */
export const logger = (source: LogSource) => ({
  /** Logs a detail useful when tracking a problem down (shown with SCANOUT_LOG=debug or SCANOUT_DEBUG naming the source). */
  debug: (m: string) => log("debug", source, m),
  /** Logs what the library chose or did (shown with SCANOUT_LOG=info or lower). */
  info: (m: string) => log("info", source, m),
  /** Logs something that went wrong but was worked around (shown by default). */
  warn: (m: string) => log("warn", source, m),
  /** Logs a failure; always written to stderr, whatever the level. */
  error: (m: string) => log("error", source, m),
});
