// Many status page clients in one process (a child of the many-clients test, so their work does not
// share the frame loop's thread): node status-clients.mjs URL COUNT SECONDS
// Prints one JSON line: how many connected, and the fewest and most updates any client received.
import { WebSocket } from "ws";

const [url, count, seconds] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const counts = new Array(count).fill(0);
let connected = 0;
let errors = 0;
const sockets = counts.map((_, i) => {
  const ws = new WebSocket(url);
  ws.on("open", () => connected++);
  ws.on("message", () => counts[i]++);
  ws.on("error", () => errors++);
  return ws;
});
const started = Date.now();
setTimeout(() => {
  const stillOpen = sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length;
  process.stdout.write(JSON.stringify({ connected, stillOpen, errors, seconds: (Date.now() - started) / 1000, min: Math.min(...counts), max: Math.max(...counts) }) + "\n");
  for (const ws of sockets) ws.close();
  setTimeout(() => process.exit(0), 200);
}, seconds * 1000);
