/**
 * What can go wrong, in the domain's words. The API maps each to its HTTP answer in one place (api/problem.ts); nothing
 * below the API speaks HTTP.
 */

/** A request names something that does not exist (a gate, a yard): a 400 naming the field. */
export class UnknownReference extends Error {
  override name = 'UnknownReference';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

/** The crossing refuses the message as it stands now; the sentence says what it waits for (409). */
export class CrossingRejected extends Error {
  override name = 'CrossingRejected';
}

/**
 * No crossing with this id that the caller may see (404): none at all, another company's, or one at a gate the caller
 * does not serve. The three are one answer, so that a crossing's existence is not revealed across companies or gates.
 */
export class CrossingNotFound extends Error {
  override name = 'CrossingNotFound';
  constructor() {
    super('There is no crossing with this id.');
  }
}

/** The crossing has ended: nothing more can be done to it (409). */
export class CrossingEnded extends Error {
  override name = 'CrossingEnded';
  constructor() {
    super('The crossing has ended; nothing more can be done to it.');
  }
}

/** Other messages for the crossing kept it busy past the retries; nothing was changed (409, retry shortly). */
export class CrossingBusy extends Error {
  override name = 'CrossingBusy';
  constructor() {
    super('The crossing is busy with other requests for it right now; nothing was changed. Retry shortly.');
  }
}
