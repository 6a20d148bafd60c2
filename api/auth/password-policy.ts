import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/**
 * What a password must be, beyond its length: not among the passwords guessers try first (common passwords, repeats
 * like `aaaaaaaaaa`, keyboard walks, dates: zxcvbn-ts's estimate with its common-password dictionaries), and not a
 * variation of the account's own username. Checked when an account is created and when a password is changed.
 */
const MIN_SCORE = 3; // of 0–4: zxcvbn's "safely unguessable" (about 10^8 guesses and more)

let estimator: ZxcvbnFactory | undefined;

const WHY: Record<string, string> = {
  simpleRepeat: 'it repeats a character or a short pattern',
  extendedRepeat: 'it repeats a pattern',
  common: 'it is a commonly used password',
  topTen: 'it is one of the ten most common passwords',
  topHundred: 'it is one of the hundred most common passwords',
  similarToCommon: 'it is close to a commonly used password',
  straightRow: 'it is a row of keys on the keyboard',
  keyPattern: 'it is a keyboard pattern',
  sequences: 'it is a sequence such as abc or 123',
  recentYears: 'it is built on a year',
  dates: 'it is built on a date',
  userInputs: 'it contains the username',
};

/** Why a password is refused, or undefined when it is good enough. */
export function weakPasswordReason(password: string, username: string): string | undefined {
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'must not contain the username';
  estimator ??= new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs });
  const result = estimator.check(password, [username]);
  if (result.score >= MIN_SCORE) return undefined;
  const why = (result.feedback.warning && WHY[result.feedback.warning]) || 'it is too easy to guess';
  return `is too easy to guess (${why}); use a longer phrase of unrelated words`;
}
