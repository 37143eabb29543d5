/**
 * What the machine itself did during a measurement. On a virtual machine the host may take CPU
 * time away ("steal"): the same code then answers fewer requests per second, which is why every
 * timed scenario is compared with a baseline measured right before it, and why the steal is
 * reported next to the figures.
 */
import { readFileSync } from 'node:fs';

function cpuTimes() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find((l) => l.startsWith('cpu '));
    if (line === undefined) return null;
    const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: values.reduce((a, b) => a + b, 0), steal: values[7] ?? 0 };
  } catch {
    return null; // not Linux: no steal figure
  }
}

/** Starts a window; calling the result ends it and gives the share of CPU time stolen (%), or null. */
export function stealWindow() {
  const start = cpuTimes();
  return () => {
    const end = cpuTimes();
    if (start === null || end === null || end.total === start.total) return null;
    return (100 * (end.steal - start.steal)) / (end.total - start.total);
  };
}
