/**
 * Accounts that stand for machines rather than people, so that what they do is attributed like any other action.
 * They cannot log in (disabled, no password).
 */
export const PAYMENT_PROVIDER_ACCOUNT_ID = '00000000-0000-4000-8000-00000000f001';
