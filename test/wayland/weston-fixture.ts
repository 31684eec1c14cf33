// A private Weston for each test of a describe block: started before the test, stopped after it.
// One per test, not one per block: headless Weston has no seat, and Weston 14's kiosk shell then
// keeps its output's active window tree pointing at a window a client destroyed, which the next
// client's first commit walks (see westonFresh in scripts/testbed/weston.ts). A start costs
// ~130 ms on the host.
import { afterEach, beforeEach } from "vitest";
import { startWeston, type Weston, type WestonOptions } from "../../scripts/testbed/weston.js";

export function westonFixture(options?: WestonOptions): { readonly weston: Weston } {
  const fixture = {} as { weston: Weston };
  beforeEach(async () => {
    fixture.weston = await startWeston(options);
  });
  afterEach(async () => {
    await fixture.weston?.stop();
  });
  return fixture;
}
