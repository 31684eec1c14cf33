export * from "./wayland.js";
export * from "./xdg-shell.js";
export * from "./linux-dmabuf-v1.js";
export * from "./presentation-time.js";
