/**
 * Progress of a search for people watching it: a one-line bar on a terminal (steps, loss,
 * accuracy, eta), plain lines when the output is not a terminal (CI logs, files), a live view in a
 * notebook (one output updated in place: the current step and eta, and a row per finished epoch
 * with losses, accuracies, the dominant eigenvalue and the problem's words on its architecture),
 * nothing when 'off'. Changes no result.
 */
import { inNotebook, liveNotebookDisplay, type RichDisplay } from '../io/display';
import type { StepInfo } from './loop';
import { type ArchitectureRecord, type EpochRecord, epochLabel, epochSeconds } from '../runs/records';

export type ProgressMode = 'bar' | 'log' | 'off';

export interface Progress {
  step(info: StepInfo): void;
  /** One line per epoch; `note` (a problem's words on its architecture) is appended. */
  epoch(record: EpochRecord<ArchitectureRecord>, totalEpochs: number, note?: string): void;
  /** The run's loop ended: `finished` when the run is complete (all epochs, or stopped by DARTS-ES), else resumable. */
  done(finished: boolean): void;
}

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

/**
 * A progress reporter. 'bar' becomes 'log' when `stream` is not a terminal, and a notebook gets
 * epoch lines only. `logEvery`: steps between lines in 'log' mode.
 */
export function makeProgress(
  mode: ProgressMode,
  totalEpochs: number,
  logEvery: number,
  stream: NodeJS.WriteStream = process.stderr,
  live: RichDisplay | undefined = mode === 'off' ? undefined : liveNotebookDisplay(),
  metric = 'acc',
): Progress {
  if (live && mode !== 'off') return liveProgress(live, totalEpochs, Date.now, metric);
  const notebook = inNotebook();
  const effective: ProgressMode = mode === 'bar' && (!stream.isTTY || notebook) ? 'log' : mode;
  const start = Date.now();
  let stepsDone = 0;
  let lastLine = '';
  const write = (s: string) => stream.write(s);
  return {
    step(info) {
      stepsDone += 1;
      if (effective === 'off' || notebook) return;
      const elapsed = (Date.now() - start) / 1000;
      const total = totalEpochs * info.steps;
      const eta = (elapsed / stepsDone) * (total - (info.epoch * info.steps + info.step));
      const text =
        `${epochLabel(info.epoch, totalEpochs)} step ${info.step}/${info.steps} | ` +
        `train loss ${info.train.loss.toFixed(3)} ${metric} ${info.train.accuracy.toFixed(3)} | ` +
        `alpha-batch loss ${info.search.loss.toFixed(3)} | eta ${duration(eta)}`;
      if (effective === 'bar') {
        const width = 20;
        const filled = Math.round((width * info.step) / info.steps);
        lastLine = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}`;
        write(`\r${lastLine}\u001b[K`);
      } else if (info.step % logEvery === 0 || info.step === info.steps) {
        write(`${text}\n`);
      }
    },
    epoch(r, total, note) {
      if (effective === 'off') return;
      if (effective === 'bar' && lastLine) write('\n');
      const h = r.hessian;
      const curvature = h
        ? `, dominant eigenvalue ${h.dominantEigenvalue.toFixed(4)} (${h.products} products, ${duration(r.seconds.hessian ?? NaN)})`
        : '';
      write(
        `${epochLabel(r.epoch, total)} done in ${duration(epochSeconds(r))}: ` +
          `train ${metric} ${r.train.accuracy.toFixed(3)}, valid ${metric} ${r.valid.accuracy.toFixed(3)} (loss ${r.valid.loss.toFixed(3)}), ` +
          `lr ${r.lr.toFixed(4)}${curvature}${note ? `; ${note}` : ''}\n`,
      );
      lastLine = '';
    },
    done() {
      if (effective === 'bar' && lastLine) write('\n');
    },
  };
}

const escapeHtml = (s: string) => s.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c] as string);

/**
 * The notebook's live view: one display entry redrawn at most once a second while steps run, and at
 * every epoch's end. `now` is replaceable for tests.
 */
export function liveProgress(display: RichDisplay, totalEpochs: number, now: () => number = Date.now, metric = 'acc'): Progress {
  const start = now();
  let stepsDone = 0;
  let lastDraw = -Infinity;
  let current = '';
  let lastEpoch = -1;
  const rows: string[] = [];
  const draw = () => {
    lastDraw = now();
    const table =
      rows.length === 0
        ? ''
        : `<table><thead><tr><th>epoch</th><th>train loss</th><th>train ${metric}</th><th>valid ${metric}</th><th>dominant eigenvalue</th>` +
          `<th>time</th><th>architecture</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
    display.html(`<div class="rdarts-progress"><div>${escapeHtml(current)}</div>${table}</div>`);
  };
  return {
    step(info) {
      stepsDone += 1;
      const elapsed = (now() - start) / 1000;
      const eta = (elapsed / stepsDone) * (totalEpochs * info.steps - (info.epoch * info.steps + info.step));
      current =
        `search: ${epochLabel(info.epoch, totalEpochs)}, step ${info.step}/${info.steps}; train loss ${info.train.loss.toFixed(3)}, ` +
        `alpha-batch loss ${info.search.loss.toFixed(3)}; eta ${duration(eta)}`;
      if (now() - lastDraw >= 1000) draw();
    },
    epoch(r, total, note) {
      const h = r.hessian ? r.hessian.dominantEigenvalue.toFixed(4) : '';
      const seconds = epochSeconds(r);
      rows.push(
        `<tr><td>${r.epoch}</td><td>${r.train.loss.toFixed(3)}</td><td>${r.train.accuracy.toFixed(3)}</td>` +
          `<td>${r.valid.accuracy.toFixed(3)}</td><td>${h}</td><td>${duration(seconds)}</td><td>${escapeHtml(note ?? '')}</td></tr>`,
      );
      current = `search: ${epochLabel(r.epoch, total)} done`;
      lastEpoch = r.epoch;
      draw();
    },
    done(finished) {
      current = finished
        ? `search: finished${lastEpoch < 0 ? '' : ` after epoch ${lastEpoch}`}`
        : `search: stopped after ${lastEpoch < 0 ? 'no epoch' : `epoch ${lastEpoch}`} of 0-${totalEpochs - 1} (resumable)`;
      draw();
    },
  };
}
