/** The progress line `npm run gameday` writes to stderr after each finished run. */

const clock = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
};

/** `progress: 3/140 runs, 0m42s elapsed, about 32m18s left` (the estimate: the mean so far). */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const left = done === 0 ? undefined : (elapsedMs / done) * (total - done);
  const estimate = left === undefined || done === total ? "" : `, about ${clock(left)} left`;
  return `progress: ${done}/${total} runs, ${clock(elapsedMs)} elapsed${estimate}`;
}
