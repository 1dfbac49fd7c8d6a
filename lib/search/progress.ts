/**
 * Progress of a search for people watching it: a one-line bar on a terminal (steps, loss,
 * accuracy, eta), plain lines when the output is not a terminal (CI logs, files), one line per
 * epoch in a notebook, nothing when 'off'. Changes no result.
 */
import { inNotebook } from '../io/display';
import type { StepInfo } from './loop';
import { type ArchitectureRecord, type EpochRecord, epochLabel } from '../runs/records';

export type ProgressMode = 'bar' | 'log' | 'off';

export interface Progress {
  step(info: StepInfo): void;
  /** One line per epoch; `note` (a problem's words on its architecture) is appended. */
  epoch(record: EpochRecord<ArchitectureRecord>, totalEpochs: number, note?: string): void;
  done(): void;
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
): Progress {
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
        `train loss ${info.train.loss.toFixed(3)} acc ${info.train.accuracy.toFixed(3)} | ` +
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
        `${epochLabel(r.epoch, total)} done in ${duration(r.seconds.search + r.seconds.valid + (r.seconds.hessian ?? 0))}: ` +
          `train acc ${r.train.accuracy.toFixed(3)}, valid acc ${r.valid.accuracy.toFixed(3)} (loss ${r.valid.loss.toFixed(3)}), ` +
          `lr ${r.lr.toFixed(4)}${curvature}${note ? `; ${note}` : ''}\n`,
      );
      lastLine = '';
    },
    done() {
      if (effective === 'bar' && lastLine) write('\n');
    },
  };
}
