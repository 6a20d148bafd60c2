/**
 * Runs async sections one after another. A crossing's handlers await activities; without this, a decision arriving
 * while another transition waits on its activity would interleave with it. Deterministic: plain promise chaining.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tail.then(section);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
