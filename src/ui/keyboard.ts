/**
 * Keyboard shortcuts: space play/pause, s step, r reset — only when focus is not in a form
 * control, a link, a button or a <summary> (space there opens or presses what has focus).
 */
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

/** Elements that react to keys themselves (space presses a button, opens a summary). */
const OWN_KEYS = new Set(['BUTTON', 'SUMMARY', 'A', 'OPTION']);

export function handleKey(
  e: Pick<KeyboardEvent, 'key' | 'target' | 'ctrlKey' | 'metaKey' | 'altKey' | 'preventDefault'>,
  store: PlaygroundStore,
): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return false;
  const s = store.getState();
  if (isElement(e.target) && OWN_KEYS.has(e.target.tagName)) return false;
  if (e.key === ' ') {
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
