/** Keyboard shortcuts: space play/pause, s step, r reset (not while typing in a field). */
import { useEffect } from 'react';
import type { PlaygroundStore } from './store/store';

function isElement(t: EventTarget | null): t is HTMLElement {
  return typeof HTMLElement !== 'undefined' && t instanceof HTMLElement;
}

function isTyping(t: EventTarget | null): boolean {
  if (!isElement(t)) return false;
  const tag = t.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable;
}

export function handleKey(
  e: Pick<KeyboardEvent, 'key' | 'target' | 'ctrlKey' | 'metaKey' | 'altKey' | 'preventDefault'>,
  store: PlaygroundStore,
): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return false;
  const s = store.getState();
  if (e.key === ' ') {
    // A focused button already reacts to space itself.
    if (isElement(e.target) && e.target.tagName === 'BUTTON') return false;
    s.togglePlay();
  } else if (e.key === 's' || e.key === 'S') s.stepOnce();
  else if (e.key === 'r' || e.key === 'R') s.reset();
  else return false;
  e.preventDefault();
  return true;
}

export function useShortcuts(store: PlaygroundStore): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => void handleKey(e, store);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
