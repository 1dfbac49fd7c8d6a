/**
 * Rich output in a tslab notebook cell, plain text everywhere else.
 *
 * tslab's `display` only works inside its kernel; outside it (CLI, tests, a user's script) we
 * print Markdown or text to stdout instead, so the same call serves every mode.
 */
export interface RichDisplay {
  html(s: string): void;
  markdown(s: string): void;
  text(s: string): void;
}

/** True when this process is a tslab kernel (its argv is `.../tslab kernel ...`). */
export function inNotebook(): boolean {
  return process.argv.includes('kernel') && process.argv.some((a) => /tslab/.test(a));
}

/** The tslab display of the running cell, or undefined outside a tslab kernel. */
export function notebookDisplay(): RichDisplay | undefined {
  if (!inNotebook()) return undefined;
  // Lazy: tslab is a dev tool, absent from a user's install that only imports the library.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('tslab') as { display: RichDisplay }).display;
}

/**
 * A display entry of the running cell that each call overwrites (tslab's `newDisplay`): a live view
 * that stays one output, not one per update. Undefined outside a tslab kernel.
 */
export function liveNotebookDisplay(): RichDisplay | undefined {
  if (!inNotebook()) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const live = (require('tslab') as { newDisplay: () => RichDisplay }).newDisplay();
  // A tslab other than the kernel's (e.g. a global kernel beside the project's copy) is "not ready":
  // a live view that cannot draw turns itself off rather than stop the search it shows.
  let broken = false;
  const guarded = (f: (s: string) => void) => (s: string) => {
    if (broken) return;
    try {
      f(s);
    } catch {
      broken = true;
    }
  };
  return { html: guarded((s) => live.html(s)), markdown: guarded((s) => live.markdown(s)), text: guarded((s) => live.text(s)) };
}

/** Shows HTML in a notebook; prints `fallback` (Markdown or text) elsewhere. */
export function show(html: string, fallback: string): void {
  const d = notebookDisplay();
  if (d) d.html(html);
  else console.log(fallback);
}
