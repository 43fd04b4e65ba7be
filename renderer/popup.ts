// Popups (Columns, Annotate view, filter help) close as menus do: on Escape and on a pointer press outside them.
// Used as `use:dismissable={close}` on the popup itself; its parent element (popup + the button that toggles it)
// counts as inside, so the toggle button keeps toggling. Escape is consumed (defaultPrevented), so the window's own
// Escape (close the event details) does not also run.

export function dismissable(node: HTMLElement, onclose: () => void): { update(next: () => void): void; destroy(): void } {
  let close = onclose;
  const inside = (t: EventTarget | null): boolean => t instanceof Node && (node.parentElement ?? node).contains(t);
  const onKey = (ev: KeyboardEvent): void => {
    if (ev.key !== 'Escape' || ev.defaultPrevented) return;
    ev.preventDefault();
    close();
  };
  const onDown = (ev: PointerEvent | MouseEvent): void => {
    if (!inside(ev.target)) close();
  };
  const doc = node.ownerDocument;
  doc.addEventListener('keydown', onKey);
  doc.addEventListener('pointerdown', onDown, true);
  return {
    update(next) {
      close = next;
    },
    destroy() {
      doc.removeEventListener('keydown', onKey);
      doc.removeEventListener('pointerdown', onDown, true);
    },
  };
}

/**
 * A popup that opens below its button keeps to the window: its height is capped at the room left under its top (and at
 * 60% of the window), so on a short screen it scrolls inside instead of running past the bottom edge.
 */
export function fitInWindow(node: HTMLElement): { destroy(): void } {
  const win = node.ownerDocument.defaultView;
  const fit = (): void => {
    if (!win) return;
    const room = win.innerHeight - node.getBoundingClientRect().top - 8;
    node.style.maxHeight = `${Math.round(Math.max(120, Math.min(room, win.innerHeight * 0.6)))}px`;
  };
  fit();
  win?.addEventListener('resize', fit);
  return {
    destroy() {
      win?.removeEventListener('resize', fit);
    },
  };
}
