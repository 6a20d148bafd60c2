/**
 * A process started by the launcher has an IPC channel to it. When the launcher dies (even by SIGKILL) the channel
 * closes: the child then stops itself, so a killed launcher leaves no worker or API behind holding ports.
 * Processes started some other way (tests, a deployment) have no channel and are unaffected.
 */
export function stopWhenParentGone(stop: (reason: string) => void): void {
  if (!process.send) return;
  process.once('disconnect', () => stop('the launcher is gone'));
}
