// Where an absolute input position (a touchscreen or tablet, which is fixed to the panel) lies in the
// picture when the display shows the picture turned counter-clockwise by a quarter turn (the KMS
// presenter's rotate). Relative motion needs nothing: as in compositors, a mouse moves the pointer in
// the picture as the viewer sees it (the panel is mounted turned, so the picture looks upright).
import type { QuarterTurn } from "../drm/layout.js";

/** The panel's size for a `width`x`height` picture shown turned by `turn` (swapped for 90 and 270). */
export function panelSize(width: number, height: number, turn: QuarterTurn): [number, number] {
  return turn === 90 || turn === 270 ? [height, width] : [width, height];
}

/**
 * The picture position shown at panel position (px, py), for a `width`x`height` picture turned by
 * `turn` onto the panel: the inverse of turnRect. Fractions are kept (libinput's positions are).
 */
export function panelToPicture(px: number, py: number, width: number, height: number, turn: QuarterTurn): [number, number] {
  switch (turn) {
    case 0:
      return [px, py];
    case 90: // picture (x, y) is at panel (y, width - x)
      return [width - py, px];
    case 180:
      return [width - px, height - py];
    case 270: // picture (x, y) is at panel (height - y, x)
      return [py, height - px];
  }
}
