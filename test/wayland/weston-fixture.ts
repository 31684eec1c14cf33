// A private Weston for one describe block: started before its tests, stopped after them.
import { afterAll, beforeAll } from "vitest";
import { startWeston, type Weston, type WestonOptions } from "../../scripts/testbed/weston.js";

export function westonFixture(options?: WestonOptions): { readonly weston: Weston } {
  const fixture = {} as { weston: Weston };
  beforeAll(async () => {
    fixture.weston = await startWeston(options);
  });
  afterAll(async () => {
    await fixture.weston?.stop();
  });
  return fixture;
}
