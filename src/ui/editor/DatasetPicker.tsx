/**
 * The data picker: one tile per data kind with a thumbnail of its default data (thumbs.ts), so
 * a teacher sees what each dataset looks like before choosing it. Choosing a tile is the same
 * as choosing the kind in the "Dataset" list below it.
 */
import { useEffect, useMemo, useRef } from 'react';
import { DATA_KINDS } from '../../experiment/limits';
import type { DataKind } from '../../experiment/types';
import { generateDataset } from '../../engine/data';
import { defaultDataConfig } from '../../engine/data/defaults';
import { classColor } from '../boundary/boundary';
import { viridis } from '../palette';
import { imageTiles, thumbPoints } from './thumbs';

const PX = 56;

const KIND_TITLES: Record<DataKind, string> = {
  'feature-noise': 'Feature + noise',
  circle: 'Circle',
  xor: 'XOR',
  gauss: 'Gaussians',
  spiral: 'Spiral',
  'teacher-student': 'Teacher–student',
  lms: 'LMS slabs',
  ms57: 'MS(5,7) slabs',
  lsn: 'LSN slabs',
  'opposing-signals': 'Opposing signals',
  images: 'Shapes (images)',
  csv: 'Your CSV',
};

function drawThumb(canvas: HTMLCanvasElement, kind: DataKind): string {
  const ctx = canvas.getContext('2d');
  if (!ctx) return '';
  const scale = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
  canvas.width = PX * scale;
  canvas.height = PX * scale;
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  ctx.clearRect(0, 0, PX, PX);
  const ds = generateDataset(defaultDataConfig(kind), 1);
  const tiles = imageTiles(ds);
  if (tiles.length > 0) {
    const side = PX / 2;
    tiles.slice(0, 4).forEach((t, k) => {
      const cell = side / Math.max(t.w, t.h);
      for (let r = 0; r < t.h; r++)
        for (let q = 0; q < t.w; q++) {
          const g = Math.round(255 * t.pixels[r * t.w + q]);
          ctx.fillStyle = `rgb(${g},${g},${g})`;
          ctx.fillRect((k % 2) * side + q * cell, Math.floor(k / 2) * side + r * cell, cell + 0.5, cell + 0.5);
        }
    });
    return 'four sample images';
  }
  const p = thumbPoints(ds);
  for (let i = 0; i < p.x.length; i++) {
    ctx.fillStyle = p.nClasses === 0 ? viridis(p.c[i]) : classColor(Math.round(p.c[i]), p.nClasses);
    ctx.beginPath();
    ctx.arc(3 + p.x[i] * (PX - 6), PX - 3 - p.y[i] * (PX - 6), 1.6, 0, 2 * Math.PI);
    ctx.fill();
  }
  return `${p.axes[0]} against ${p.axes[1]}`;
}

export function DatasetPicker({ value, onPick }: { value: DataKind; onPick(kind: DataKind): void }) {
  const canvases = useRef(new Map<DataKind, HTMLCanvasElement>());
  const described = useRef(new Map<DataKind, string>());
  const kinds = useMemo(() => [...DATA_KINDS], []);
  useEffect(() => {
    for (const k of kinds) {
      const c = canvases.current.get(k);
      if (!c || described.current.has(k)) continue;
      try {
        const what = drawThumb(c, k);
        described.current.set(k, what);
        c.parentElement?.setAttribute('title', `${KIND_TITLES[k]}: ${what} (the default settings, seed 1)`);
      } catch {
        described.current.set(k, '');
      }
    }
  }, [kinds]);
  return (
    <div className="dataset-picker" role="group" aria-label="Datasets">
      {kinds.map((k) => (
        <button
          key={k}
          type="button"
          className={`dataset-tile${k === value ? ' on' : ''}`}
          aria-pressed={k === value}
          data-kind={k}
          onClick={() => onPick(k)}
        >
          <canvas
            ref={(el) => {
              if (el) canvases.current.set(k, el);
            }}
            aria-hidden="true"
            style={{ width: PX, height: PX }}
          />
          <span>{KIND_TITLES[k]}</span>
        </button>
      ))}
    </div>
  );
}
