/**
 * "Skip to the training controls": the page's first Tab stop. Following it moves focus to the
 * controls toolbar (so the next Tab lands on Play) without touching the address: the hash holds
 * the experiment, and "#controls" there would read as a link the playground does not understand.
 */
import type { MouseEvent } from 'react';

export const CONTROLS_ID = 'controls';

export function SkipLink() {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    const target = document.getElementById(CONTROLS_ID);
    if (!target) return;
    e.preventDefault();
    target.focus();
    target.scrollIntoView({ block: 'nearest' });
  };
  return (
    <a className="skip-link" href={`#${CONTROLS_ID}`} onClick={onClick}>
      Skip to the training controls
    </a>
  );
}
