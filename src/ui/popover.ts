/**
 * A <details> used as a popover (the presets gallery, the chart picker): a press outside it
 * closes it, and so does Escape inside it (focus goes back to its summary).
 */
import { useEffect, useRef, type KeyboardEvent, type RefObject } from 'react';

export function usePopover(): {
  ref: RefObject<HTMLDetailsElement | null>;
  close(): void;
  onKeyDown(e: KeyboardEvent): void;
} {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      const d = ref.current;
      if (d?.open && e.target instanceof Node && !d.contains(e.target)) d.open = false;
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, []);
  const close = () => {
    if (ref.current) ref.current.open = false;
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && ref.current?.open) {
      close();
      ref.current.querySelector('summary')?.focus();
    }
  };
  return { ref, close, onKeyDown };
}
